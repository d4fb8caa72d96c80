import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsIsoDate } from '../../infra/http/iso-date';

export const CONTACT_TYPES = ['opt_out', 'deceased', 'too_ill', 'ineligible', 'alternative_format', 'address_change', 'replacement', 'query'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

/** Formats the print room produces itself; the others are recorded for a specialist supplier. */
export const PRINTED_FORMATS = ['large_print'] as const;
export const ALTERNATIVE_FORMATS = ['large_print', 'braille', 'audio', 'easy_read', 'language'] as const;
export type AlternativeFormat = (typeof ALTERNATIVE_FORMATS)[number];

/** One call to the helpline about a patient. Which fields a type needs is checked by the service. */
export class LogContactDto {
  @IsIn(CONTACT_TYPES as unknown as string[], { message: `type must be one of ${CONTACT_TYPES.join(', ')}` })
  type: ContactType;

  /** Why the patient opted out (opt_out), or why they are not eligible (ineligible), in the caller's words. */
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;

  /** deceased: the date of death as the caller gives it. */
  @IsOptional() @IsIsoDate()
  dateOfDeath?: string;

  /** alternative_format: which format. */
  @IsOptional() @IsIn(ALTERNATIVE_FORMATS as unknown as string[], { message: `format must be one of ${ALTERNATIVE_FORMATS.join(', ')}` })
  format?: AlternativeFormat;

  /** alternative_format "language": the language asked for, e.g. "Polish". */
  @IsOptional() @IsString() @Length(2, 60)
  language?: string;

  /** address_change: the new address, two to five lines, and its postcode. */
  @IsOptional() @IsArray() @ArrayMinSize(2) @ArrayMaxSize(5) @IsString({ each: true }) @Length(1, 100, { each: true })
  addressLines?: string[];

  @IsOptional() @IsString() @Length(5, 10)
  postcode?: string;

  /** Who called (the patient, a relative, a carer…); free text kept with the contact. */
  @IsOptional() @IsString() @MaxLength(100)
  caller?: string;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;
}

export class FindPatientDto {
  @IsOptional() @IsString() @Length(1, 30)
  reference?: string;

  @IsOptional() @IsString() @Length(1, 100)
  surname?: string;

  @IsOptional() @IsString() @Length(5, 10)
  postcode?: string;

  @IsOptional() @IsIsoDate()
  dateOfBirth?: string;
}

export class PhoneResponseDto {
  @IsObject()
  answers: Record<string, unknown>;
}
