import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { NotFoundError } from '../infra/errors/domain-error';
import { SurveysService } from '../surveys/surveys.service';
import { ReportRunsService } from './report-runs.service';

const CONTENT_TYPE = { pdf: 'application/pdf', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/**
 * A run of every local report (results:reports) and its files, read from the file store
 * whichever worker wrote them. The files are the coordinator's full view, so coordinators only.
 */
@Controller('api/surveys/:survey/results/report-runs')
@Roles('coordinator')
export class ReportRunsController {
  constructor(private readonly runs: ReportRunsService, private readonly surveys: SurveysService) {}

  @Get(':run')
  @Audited('results.report-run')
  async progress(@Param('survey') survey: string, @Param('run') run: string) {
    const progress = await this.runs.progress(run);
    if (progress.survey !== (await this.surveys.get(survey)).code) throw new NotFoundError('This survey has no report run with that id', 'run');
    return progress;
  }

  @Get(':run/files/:id')
  @Audited('results.report-run.file')
  async file(@Param('survey') survey: string, @Param('run') run: string, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const item = await this.runs.item(run, id);
    if (item.survey !== (await this.surveys.get(survey)).code) throw new NotFoundError('This survey has no report run with that id', 'run');
    const body = await this.runs.fileOf(item);
    res.setHeader('Cache-Control', 'no-store');
    res.once('close', () => body.destroy()); // an abandoned download releases the store's connection
    return new StreamableFile(body, {
      type: CONTENT_TYPE[item.format], disposition: `attachment; filename="${item.survey}-${item.filePath!.slice(item.filePath!.lastIndexOf('/') + 1)}"`,
    });
  }
}
