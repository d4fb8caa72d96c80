import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { AppConfig } from '../../infra/config/app-config';
import { BouncesService } from './bounces.service';

const MAX_BOUNCE_BYTES = 2 * 1024 * 1024;

/**
 * The bounce receiver: an SMTP listener the worker process starts when BOUNCE_SMTP_PORT is set
 * (the MX, or a relay, for the bounce domain hands it bounces+<id>@ mail). It takes mail for
 * those addresses only and refuses every other recipient; a message that is not a
 * delivery-status report (an auto-reply, say) is accepted and dropped, never stored, so no one
 * is bounced back to. A database failure answers 451, so the sending server tries again later.
 */
@Injectable()
export class BounceReceiver implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('BounceReceiver');
  private server: SMTPServer | null = null;
  /** The port listened on (the one chosen by the system when BOUNCE_SMTP_PORT is 0), or null when off. */
  port: number | null = null;

  constructor(private readonly config: AppConfig, private readonly bounces: BouncesService) {}

  async onModuleInit(): Promise<void> {
    if (this.config.BOUNCE_SMTP_PORT === undefined) return;
    const server = new SMTPServer({
      name: 'fieldwork-bounces',
      banner: 'bounce receiver',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: MAX_BOUNCE_BYTES,
      maxClients: 20,
      onRcptTo: (address, _session, callback) => {
        if (this.bounces.accepts(address.address)) return callback();
        callback(Object.assign(new Error('No such mailbox here'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          }
          const raw = Buffer.concat(chunks);
          Promise.all(session.envelope.rcptTo.map((r) => this.bounces.record(r.address, raw))).then(
            () => callback(),
            (error: Error) => {
              this.logger.error(`A bounce could not be recorded (the sender will try again): ${error.message}`);
              callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
            });
        });
      },
    });
    server.on('error', (error) => this.logger.error(`Bounce receiver: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.BOUNCE_SMTP_PORT, this.config.BOUNCE_SMTP_HOST, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    this.logger.log(`Receiving bounces on ${this.config.BOUNCE_SMTP_HOST}:${this.port}`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
