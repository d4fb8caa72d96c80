import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class LaunchStepDto {
  /** Send a reminder now instead of at the survey's schedule. */
  @IsOptional() @IsBoolean()
  now?: boolean;
}

export class PauseStepDto {
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class RetryFailedDto {
  /** Survey references whose failed e-mail of the step is to be retried; none: every failure known not to have been delivered. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(40, { each: true })
  references?: string[];

  /** The coordinator has checked the mail server's log: the interrupted e-mails named were not delivered. */
  @IsOptional() @IsBoolean()
  notDelivered?: boolean;

  /** With references: their e-mails (the default) or their texts. */
  @IsOptional() @IsIn(['email', 'sms'], { message: 'channel must be email or sms' })
  channel?: 'email' | 'sms';
}
