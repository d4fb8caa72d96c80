import { Transform } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { IsIsoDate } from '../../infra/http/iso-date';
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
