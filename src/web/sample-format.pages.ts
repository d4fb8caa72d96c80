import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/roles';
import { csvDownload } from '../infra/http/csv-response';
import { EXCLUSIONS_IN_ORDER, FILE_RULES, REJECTION_RULES, sampleFormatColumns, sampleTemplateCsv } from '../samples/sample-format';
import { Pages } from './pages';

/** The sample file's layout and rules, from the same description the README table is checked against. */
@Controller('trust')
@Roles('trust', 'coordinator')
export class SampleFormatPages {
  constructor(private readonly pages: Pages) {}

  @Get('sample-format')
  format(@Res() res: Response) {
    this.pages.render(res, 'trust-sample-format.njk', {
      title: 'Sample file format', width: 'full', columns: sampleFormatColumns(), fileRules: FILE_RULES, rejections: REJECTION_RULES,
      exclusions: EXCLUSIONS_IN_ORDER,
    });
  }

  @Get('sample-template.csv')
  template(@Res({ passthrough: true }) res: Response): string {
    return csvDownload(res, 'sample-file-template.csv', sampleTemplateCsv());
  }
}
