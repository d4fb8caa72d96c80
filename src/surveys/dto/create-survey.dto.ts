import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIsoDate } from '../../infra/http/iso-date';

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

  /** Overrides of the default survey settings; validated by parseSurveySettings. */
  @IsOptional() @IsObject()
  settings?: Record<string, unknown>;
}
