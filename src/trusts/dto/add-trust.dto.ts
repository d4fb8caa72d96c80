import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';

export class AddTrustDto {
  @Matches(/^[A-Z0-9]{3,5}$/, { message: 'code must be an ODS code of 3 to 5 capitals or digits, e.g. RXX' })
  code: string;

  @IsString() @Length(1, 200, { message: 'name must be between 1 and 200 characters' })
  name: string;

  @IsOptional()
  @Matches(/^Q[A-Z0-9]{2}$/, { message: 'icb must be an ICB code such as QXX' })
  icb?: string;

  /** A Principal Treatment Centre for children's cancer (the Under-16 survey takes samples only from these). */
  @IsOptional() @IsBoolean({ message: 'ptc must be true or false' })
  ptc?: boolean;
}

/** Marks a trust as a Principal Treatment Centre, or no longer one. */
export class SetTrustPtcDto {
  @IsBoolean({ message: 'ptc must be true or false' })
  ptc: boolean;
}
