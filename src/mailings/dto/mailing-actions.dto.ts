import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class LaunchStepDto {
  /** Send a reminder now instead of at the survey's schedule. */
  @IsOptional() @IsBoolean()
  now?: boolean;
}

export class PauseStepDto {
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}
