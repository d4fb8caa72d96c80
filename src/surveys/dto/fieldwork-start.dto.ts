import { IsIsoDate } from '../../infra/http/iso-date';

/** The day fieldwork starts: ages for questionnaires by age are taken on it. */
export class FieldworkStartDto {
  @IsIsoDate()
  date: string;
}
