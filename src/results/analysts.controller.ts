import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { csvLines } from '../infra/csv';
import { csvDownload, wantsCsv } from '../infra/http/csv-response';
import { commentsCsvRows, CommentsService } from './comments/comments.service';
import { codebookCsvRows, datasetCsvRows } from './dataset/codebook';
import { DatasetService } from './dataset/dataset.service';

/**
 * Patients' comments (redacted, one trust at a time) and the analysts' respondent-level
 * dataset with its codebook. JSON, or CSV with ?format=csv (or Accept: text/csv).
 */
@Controller('api/surveys/:survey/results')
@Roles('coordinator', 'trust')
export class AnalystsController {
  constructor(private readonly comments: CommentsService, private readonly datasets: DatasetService) {}

  @Get('comments')
  // A helpline user on the pre-release list reads them as a coordinator would; ResultsAccess refuses every other helpline user.
  @Roles('coordinator', 'trust', 'helpline')
  @Audited('results.comments')
  async commentsExport(@Param('survey') survey: string, @Query('trust') trust: string | undefined, @Query('format') format: string | undefined,
    @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.comments.export(survey, trust, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `comments-${r.survey}-${r.trust}.csv`, csvLines(commentsCsvRows(r))) : r;
  }

  @Get('dataset')
  @Roles('coordinator')
  @Audited('results.dataset')
  async dataset(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.datasets.dataset(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `dataset-${r.survey}.csv`, csvLines(datasetCsvRows(r.columns, r.rows))) : r;
  }

  @Get('codebook')
  @Roles('coordinator')
  @Audited('results.codebook')
  async codebook(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.datasets.codebook(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `codebook-${r.survey}.csv`, csvLines(codebookCsvRows(r.columns))) : r;
  }
}
