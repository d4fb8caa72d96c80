import { Transform } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { IsIsoDate } from '../../infra/http/iso-date';
import { RESPONSE_PARTS, ResponsePart } from '../../questionnaires/questionnaire-parts';
import { RETURN_TYPES, ReturnType } from '../returns.service';

/** One envelope at the post room: the scanner types the reference. */
export class BookReturnDto {
  @IsString() @Length(1, 30)
  reference: string;

  @IsIn(RETURN_TYPES as unknown as string[], { message: `type must be one of ${RETURN_TYPES.join(', ')}` })
  type: ReturnType;

  /** Defaults to today. */
  @IsOptional() @IsIsoDate()
  receivedOn?: string;
}

export class AnswersDto {
  /**
   * Answers by question id, e.g. { "gp_visits": "2", "overall_care_rating": 9 }. Passed on as
   * sent: class-transformer would drop ids such as "hasOwnProperty" and copy objects given for
   * text, where the questionnaire check must see them to refuse them.
   */
  @Transform(({ obj }) => (obj as Record<string, unknown>).answers)
  @IsObject()
  answers: Record<string, unknown>;
}

/** Answers sent online with the access code. */
export class OnlineAnswersDto {
  /** As AnswersDto.answers. */
  @Transform(({ obj }) => (obj as Record<string, unknown>).answers)
  @IsObject()
  answers: Record<string, unknown>;

  /**
   * For a questionnaire in parts (the Under-16 survey's), the part these answers are: child or
   * parent. Each part is sent on its own; leave it out for a questionnaire without parts.
   */
  @IsOptional() @IsIn(RESPONSE_PARTS as unknown as string[], { message: `part must be one of ${RESPONSE_PARTS.join(', ')}` })
  part?: ResponsePart;
}
