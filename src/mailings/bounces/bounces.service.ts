import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../infra/config/app-config';
import { bounceDomain, isBareBounceAddress, ledgerIdOfReturnPath } from '../../infra/mail/return-path';
import { emailMessageId } from '../email-mailings.service';
import { readDeliveryReport } from './delivery-status';

export type BounceOutcome =
  | { recorded: true; mailingId: string; kind: 'permanent' | 'temporary'; code: string }
  | { recorded: false; why: 'not_a_bounce' | 'no_such_email' };

/**
 * Records what bounces say against the one e-mail they name: the return path's ledger id, or
 * (when a relay dropped the +id) the original Message-ID the report quotes, which must be the
 * one that row was sent with. Only sent e-mails take a bounce, and a temporary failure never
 * overwrites a permanent one. A permanent failure marks the patient's e-mail address as
 * unusable (later e-mail steps hold it back); nothing of the bounced message is kept.
 */
@Injectable()
export class BouncesService {
  private readonly logger = new Logger('Bounces');

  constructor(@InjectDataSource() private readonly dataSource: DataSource, private readonly config: AppConfig) {}

  /** Whether the receiver takes mail for this address: bounces+<id>@ or bounces@ our bounce domain. */
  accepts(address: string): boolean {
    const domain = bounceDomain(this.config);
    return ledgerIdOfReturnPath(address, domain) !== null || isBareBounceAddress(address, domain);
  }

  async record(recipient: string, raw: Buffer): Promise<BounceOutcome> {
    const report = await readDeliveryReport(raw);
    if (!report) return { recorded: false, why: 'not_a_bounce' };
    const fromAddress = ledgerIdOfReturnPath(recipient, bounceDomain(this.config));
    const mailingId = fromAddress ?? this.ledgerIdOfMessageId(report.originalMessageId);
    if (!mailingId) return { recorded: false, why: 'no_such_email' };
    const [row] = await this.dataSource.query(
      `WITH b AS (
         UPDATE mailings SET bounced_at = now(), bounce_status = $2, bounce_code = $3, bounce_diagnostic = $4
         WHERE id = $1 AND channel = 'email' AND status = 'sent' AND bounce_status IS DISTINCT FROM 'permanent'
           AND ($5::text IS NULL OR message_id = $5)
         RETURNING patient_id, bounced_at),
       p AS (
         UPDATE patients SET email_bounced_at = coalesce(email_bounced_at, b.bounced_at) FROM b
         WHERE patients.id = b.patient_id AND $2 = 'permanent')
       SELECT 1 AS recorded FROM b`,
      [mailingId, report.kind, report.code, report.diagnostic || null, fromAddress ? null : report.originalMessageId]);
    if (!row) return { recorded: false, why: 'no_such_email' };
    this.logger.log(`Bounce recorded for e-mail ${mailingId}: ${report.kind} (${report.code})`);
    return { recorded: true, mailingId, kind: report.kind, code: report.code };
  }

  /** "<mailing-42@domain>" → "42", only for Message-IDs of the form this service sends. */
  private ledgerIdOfMessageId(messageId: string | null): string | null {
    const id = messageId ? /^<mailing-(\d{1,18})@/.exec(messageId)?.[1] : undefined;
    return id && emailMessageId(id, this.config.MAIL_FROM) === messageId ? id : null;
  }
}
