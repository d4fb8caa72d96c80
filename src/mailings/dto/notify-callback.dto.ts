import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../wave-status';

/**
 * GOV.UK Notify's delivery receipt, as it POSTs it to the callback URL. Only id, reference and
 * status are read; the other fields Notify sends are accepted and ignored.
 */
export class NotifyCallbackDto {
  /** Notify's id for the message. */
  @IsUUID()
  id!: string;

  /** The reference sent with the text: its ledger row id. */
  @ValidateIf((_, v) => v !== null) @IsString() @Matches(/^\d{1,18}$/, { message: 'reference must be a ledger row id' })
  reference!: string | null;

  @IsString() @MaxLength(320)
  to!: string;

  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status!: DeliveryStatus;

  @IsOptional() @IsString() @MaxLength(40) created_at?: string;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(40) completed_at?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(40) sent_at?: string | null;
  @IsOptional() @IsIn(['sms', 'email', 'letter']) notification_type?: string;
  @IsOptional() @IsUUID() template_id?: string;
  @IsOptional() @IsInt() template_version?: number;
  /** The mobile network's reason for a failure, when Notify has one. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(500) provider_response?: string | null;
}
