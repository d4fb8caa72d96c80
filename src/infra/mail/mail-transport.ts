import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { FileStore } from '../storage/file-store';
import { Draining, HandedBack } from '../shutdown/draining';
import { bounceDomain, returnPath } from './return-path';
import { SendSlots } from './send-slots';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic, so the mail server's log can tell whether an interrupted send went out. */
  messageId: string;
  /** Extra header fields, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /** The send ledger's row: the envelope sender becomes bounces+<id>@…, so a bounce names its message. */
  ledgerId?: string;
}

/** An SMTP refusal that retrying will not change (5xx: no such mailbox, rejected content). */
export class PermanentMailError extends Error {}

/**
 * The connection failed at a point where the server may already have taken the message (e.g.
 * no answer to the end of its data): sending again could deliver it twice.
 */
export class MaybeDeliveredMailError extends Error {}

// Failures that happen before any message data is written: the server cannot have taken it.
const BEFORE_HANDOVER_CODES = new Set(['EDNS', 'ETLS', 'EAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EREQUIRETLS']);
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/** True when a send error shows the message was never accepted: a reply refusing it, or no connection at all. */
export function notHandedOver(error: unknown): boolean {
  const e = error as { responseCode?: number; code?: string; originalCode?: string; timeoutType?: string };
  // Any 4xx/5xx reply, to the end of data included, means the server did not take the message.
  if (e.responseCode && e.responseCode >= 400) return true;
  return BEFORE_HANDOVER_CODES.has(e.code ?? '') || CONNECT_ERRORS.has(e.originalCode ?? e.code ?? '')
    || SETUP_TIMEOUTS.has(e.timeoutType ?? '');
}

/**
 * Sends e-mail through a pooled SMTP transport (a new connection per message manages ~10 a
 * second; a pool, well over a thousand). Without SMTP_HOST, messages are written as .eml files
 * under outbox/ in the file store so a local run never e-mails anyone.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transporter: Transporter;
  readonly mode: 'smtp' | 'outbox';
  /** One per pooled connection: claim a ledger row only when a connection is free to carry it. */
  readonly slots: SendSlots;

  constructor(private readonly config: AppConfig, private readonly store: FileStore, draining: Draining) {
    const timeout = config.MAIL_SEND_TIMEOUT_SECONDS * 1000;
    this.slots = new SendSlots(config.SMTP_POOL_SIZE);
    // A stopping worker sends what it has claimed; e-mails still waiting for a connection go back.
    draining.onDrain(() => this.slots.close(new HandedBack()));
    if (config.SMTP_HOST) {
      this.mode = 'smtp';
      this.transporter = nodemailer.createTransport({
        pool: true,
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
        maxConnections: config.SMTP_POOL_SIZE,
        maxMessages: Infinity,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
    } else {
      this.mode = 'outbox';
      this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  async send({ ledgerId, ...email }: OutgoingEmail): Promise<void> {
    const message = { from: this.config.MAIL_FROM, ...email };
    const envelope = { from: ledgerId ? returnPath(ledgerId, bounceDomain(this.config)) : this.config.MAIL_FROM, to: email.to };
    if (this.mode === 'outbox') {
      const info = await this.transporter.sendMail({ ...message, envelope });
      const name = email.messageId.replace(/[^A-Za-z0-9.@-]/g, '_');
      await this.store.put(`outbox/${name}.eml`, info.message as Buffer);
      return;
    }
    try {
      // Composed by the pool as it sends. Composing the whole message first (to hand the socket
      // fewer, larger writes) became a cost of its own once nodemailer streamed every part
      // through a pipeline: each message was then composed twice.
      await this.transporter.sendMail({ ...message, envelope });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code && code >= 500) throw new PermanentMailError(`The mail server refused the message: ${(error as Error).message}`);
      if (!notHandedOver(error)) throw new MaybeDeliveredMailError((error as Error).message);
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.transporter.close();
    if (this.mode === 'smtp') this.logger.debug('SMTP pool closed');
  }
}
