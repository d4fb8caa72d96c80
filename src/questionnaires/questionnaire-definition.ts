import 'reflect-metadata'; // @Type reads design-time types
import { Type } from 'class-transformer';
import {
  ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';

/**
 * One questionnaire definition drives the printed questionnaire and the online form. It lives
 * as JSON in templates/questionnaires/ and is checked in full when loaded.
 */
export const QUESTION_TYPES = ['single', 'multiple', 'rating', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const SCORE_MARKS = ['positive', 'other', 'excluded'] as const;
export type ScoreMark = (typeof SCORE_MARKS)[number];

/**
 * Who answers a section, in a questionnaire with a part for each (the Under-16 survey's: the
 * child or young person, and their parent or carer). Each respondent's part is completed,
 * returned and stored on its own (see questionnaire-parts.ts).
 */
export const RESPONDENTS = ['child', 'parent'] as const;
export type Respondent = (typeof RESPONDENTS)[number];

/** Where routing can send a respondent: a later question number, or the end of the questionnaire. */
export type RouteTarget = number | 'end';

export class AnswerOption {
  /** What is stored and keyed from paper (e.g. "1"); unique within its question. */
  @Matches(/^[A-Za-z0-9_]{1,10}$/, { message: 'option code must be 1-10 letters, digits or _' })
  code: string;

  @IsString() @Length(1, 300)
  label: string;

  /** "If No, go to 12": single-choice questions only. */
  @IsOptional()
  goTo?: RouteTarget;

  /** A multiple-choice answer that cannot be combined ("None of these"). */
  @IsOptional() @IsBoolean()
  exclusive?: boolean;

  /**
   * On evaluative questions only, every option: the answer showing good care (positive), another
   * answer in the score's base (other), or one left out of it (excluded: "Don't know", "It was
   * not needed"). See RESULTS-METHOD.md, "Scores".
   */
  @IsOptional() @IsIn(SCORE_MARKS as unknown as string[], { message: 'score must be positive, other or excluded' })
  score?: ScoreMark;
}

export class Question {
  /** As printed: 1, 2, 3… across the whole questionnaire. */
  @IsInt() @Min(1)
  number: number;

  /** Stable name for stored answers and reports (survives renumbering). */
  @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'id must be lower-case letters, digits or _' })
  id: string;

  @IsIn(QUESTION_TYPES as unknown as string[])
  type: QuestionType;

  @IsString() @Length(1, 1000)
  text: string;

  /**
   * The question as asked online, when the printed text speaks of paper ("Please circle a
   * number…"); online pages fall back to `text`.
   */
  @IsOptional() @IsString() @Length(1, 1000)
  onlineText?: string;

  /** e.g. "Tick one box", "Tick all that apply": paper only (online pages say "Select…" themselves). */
  @IsOptional() @IsString() @Length(1, 300)
  instruction?: string;

  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => AnswerOption)
  options?: AnswerOption[];

  /** Rating scale bounds and end labels (0 = very poor … 10 = very good). */
  @IsOptional() @IsInt() @Min(0) @Max(100)
  min?: number;

  @IsOptional() @IsInt() @Min(1) @Max(100)
  max?: number;

  @IsOptional() @IsString() @Length(1, 100)
  minLabel?: string;

  @IsOptional() @IsString() @Length(1, 100)
  maxLabel?: string;

  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  maxLength?: number;

  /** Routing after any answer (or none), e.g. a text question that ends a branch. */
  @IsOptional()
  goTo?: RouteTarget;

  /** Names a question reports rely on, e.g. "overall_care_rating". */
  @IsOptional() @Matches(/^[a-z][a-z0-9_]{0,40}$/)
  reportKey?: string;
}

export class Section {
  @IsString() @Length(1, 200)
  title: string;

  /**
   * Who answers this section. A definition gives every section a respondent or none (the adult
   * questionnaire); with respondents, question numbers run 1, 2, 3… within each respondent's
   * part and routing stays inside it ("end" is the end of that part).
   */
  @IsOptional() @IsIn(RESPONDENTS as unknown as string[], { message: `respondent must be one of ${RESPONDENTS.join(', ')}` })
  respondent?: Respondent;

  @IsOptional() @IsString() @Length(1, 2000)
  introduction?: string;

  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => Question)
  questions: Question[];
}

export class QuestionnaireDefinition {
  @Matches(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/, { message: 'code must look like CPES-2026' })
  code: string;

  @IsString() @Length(1, 200)
  title: string;

  @IsString() @Length(1, 4000)
  introduction: string;

  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => Section)
  sections: Section[];

  @IsString() @Length(1, 2000)
  closing: string;
}
