import { IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIsoDate } from '../../infra/http/iso-date';
import { SURVEY_KINDS, SurveyKind } from '../survey-kinds';

export class CreateSurveyDto {
  @Matches(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/, { message: 'code must be capitals, digits and hyphens, e.g. CPES-2026' })
  @Length(3, 30)
  code: string;

  @IsOptional() @IsString() @Length(1, 200)
  name?: string;

  @IsIsoDate()
  periodStart: string;

  @IsIsoDate()
  periodEnd: string;

  /** Which survey: the adult CPES (the default) or the Under-16 CPES, each with its own default settings. */
  @IsOptional() @IsIn(SURVEY_KINDS, { message: `kind must be one of ${SURVEY_KINDS.join(', ')}` })
  kind?: SurveyKind;

  /** Overrides of the default survey settings; validated by parseSurveySettings. */
  @IsOptional() @IsObject()
  settings?: Record<string, unknown>;
}
