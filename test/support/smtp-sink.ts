import { simpleParser, ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  to: string;
  /** The envelope sender (MAIL FROM): where bounces go. */
  from: string;
  messageId: string;
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  /** Answer 550 (permanent) for these recipients. */
  reject?: (to: string) => boolean;
  /** Wait this long before accepting each message, to keep sends in flight. */
  delayMs?: number;
}

/** A real SMTP server on a free local port that keeps every message it accepts, parsed. */
export class SmtpSink {
  readonly received: Received[] = [];
  private server!: SMTPServer;
  port = 0;

  constructor(private readonly options: SmtpSinkOptions = {}) {}

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: 1024 * 1024,
      onRcptTo: (address, _session, callback) => {
        if (this.options.reject?.(address.address)) {
          const error = Object.assign(new Error('Mailbox unavailable (test)'), { responseCode: 550 });
          return callback(error);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(async (parsed) => {
          if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
          this.received.push({ to: session.envelope.rcptTo[0].address, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', messageId: parsed.messageId ?? '', parsed });
          callback();
        }, callback);
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  env(): Record<string, string> {
    return { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(this.port), SMTP_SECURE: 'false' };
  }

  to(address: string): Received[] {
    return this.received.filter((r) => r.to === address);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
