import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { Audited } from '../audit/audited';
import type { Request } from 'express';
import { Roles } from '../auth/roles';
import { LaunchStepDto, PauseStepDto, RetryFailedDto } from './dto/mailing-actions.dto';
import { ReconcilerService } from './reconciler.service';
import { RetryFailedService } from './retry-failed.service';
import { WavesService } from './waves.service';

/** Mailing steps of a survey: launch, hold, release, watch; the same actions as the wave:* commands. */
@Controller('api/surveys/:survey/mailings')
@Roles('coordinator')
export class MailingsController {
  constructor(private readonly waves: WavesService, private readonly retries: RetryFailedService, private readonly reconciler: ReconcilerService) {}

  @Get()
  status(@Param('survey') survey: string) {
    return this.waves.status(survey);
  }

  @Get(':step')
  async step(@Param('survey') survey: string, @Param('step') step: string) {
    return (await this.waves.status(survey, step)).steps[0];
  }

  @Post(':step/launch')
  @Audited('mailing.launch')
  @HttpCode(200)
  launch(@Param('survey') survey: string, @Param('step') step: string, @Body() body: LaunchStepDto, @Req() req: Request) {
    return this.waves.launch(survey, step, req.principal!.id, { now: body.now });
  }

  @Post(':step/pause')
  @Audited('mailing.pause')
  @HttpCode(200)
  pause(@Param('survey') survey: string, @Param('step') step: string, @Body() body: PauseStepDto, @Req() req: Request) {
    return this.waves.pause(survey, step, req.principal!.id, body.reason);
  }

  @Post(':step/resume')
  @Audited('mailing.resume')
  @HttpCode(200)
  resume(@Param('survey') survey: string, @Param('step') step: string) {
    return this.waves.resume(survey, step);
  }

  @Post(':step/retry-failed')
  @Audited('mailing.retry')
  @HttpCode(200)
  retryFailed(@Param('survey') survey: string, @Param('step') step: string, @Body() body: RetryFailedDto) {
    // The DTO type itself, not `| undefined`: a union compiles to Object and the pipe would skip validating it.
    return this.retries.retryFailed(survey, step, { references: body?.references, notDelivered: body?.notDelivered, channel: body?.channel });
  }

  @Post('reconcile')
  @Audited('mailing.reconcile')
  @HttpCode(200)
  reconcile(@Param('survey') survey: string) {
    return this.reconciler.reconcile(survey);
  }
}
