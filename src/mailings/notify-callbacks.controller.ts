import { Body, CanActivate, Controller, ExecutionContext, HttpCode, Injectable, Post, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles';
import { AppConfig } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import { NotifyCallbackDto } from './dto/notify-callback.dto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Notify authenticates its callbacks with the bearer token set in its callback settings, not
 * with a user's token: checked here, before the body is read, in constant time.
 */
@Injectable()
export class NotifyCallbackGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.NOTIFY_CALLBACK_TOKEN;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
    // Hashed first: timingSafeEqual needs equal lengths, and the length must not leak either.
    if (!expected || !timingSafeEqual(digest(given), digest(expected))) {
      throw new DomainError('unauthenticated', 'Delivery receipts need the callback bearer token configured as NOTIFY_CALLBACK_TOKEN');
    }
    return true;
  }
}

/** GOV.UK Notify's delivery receipts for texts: each records how its ledger row's text ended. */
@Controller('api/notify')
export class NotifyCallbacksController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post('callbacks')
  @Public()
  @UseGuards(NotifyCallbackGuard)
  @HttpCode(200)
  async receipt(@Body() body: NotifyCallbackDto): Promise<{ recorded: boolean }> {
    // By our reference (the ledger id), else by Notify's id recorded when it accepted the text.
    // A receipt for a row no longer here (purged) is answered 200 all the same, or Notify retries it.
    const [{ recorded }] = await this.dataSource.query(
      `WITH u AS (UPDATE mailings SET delivery_status = $3, delivery_reported_at = now(), provider_id = coalesce(provider_id, $2)
                  WHERE channel = 'sms' AND status = 'sent' AND (id = $1::bigint OR ($1::bigint IS NULL AND provider_id = $2)) RETURNING 1)
       SELECT count(*)::int AS recorded FROM u`,
      [body.reference, body.id, body.status]);
    return { recorded: recorded > 0 };
  }
}
