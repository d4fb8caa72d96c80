import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles';
import { NotFoundError } from '../infra/errors/domain-error';
import { csvDownload } from '../infra/http/csv-response';
import { isPublished, publicationSentence } from '../results/publication-time';
import { ResultsEmbargoed } from '../results/results-access';
import { scoresCsv, type ScoresLevel } from '../results/results-report';
import { ResultsService } from '../results/results.service';
import { SurveysService } from '../surveys/surveys.service';
import { Pages } from './pages';
import { bySection, nationalRows } from './results-view';

const OPEN_DATA: Record<string, { level: ScoresLevel; title: string }> = {
  'national.csv': { level: 'national', title: 'National scores' },
  'icb.csv': { level: 'icb', title: 'Scores by integrated care board (ICB)' },
  'alliance.csv': { level: 'alliance', title: 'Scores by Cancer Alliance' },
  'trust.csv': { level: 'trust', title: 'Scores by trust, with case-mix adjusted scores and expected ranges' },
};

/**
 * The survey's public results page and its open data, with no sign-in. Before publication the
 * page says when results will be published and nothing more, and the open data is refused with
 * that sentence. From publication: the national scores and the suppressed tables (national,
 * ICB, Cancer Alliance, trust), each figure resting on fewer respondents than the threshold
 * left blank. Aggregates only: nothing about any one patient is ever here. It is read as the
 * public (no principal), whoever is signed in, so a coordinator sees what everyone sees.
 */
@Controller('results/:survey')
@Public()
export class PublicResultsPages {
  constructor(private readonly results: ResultsService, private readonly surveys: SurveysService, private readonly pages: Pages) {}

  @Get()
  async page(@Param('survey') code: string, @Res() res: Response) {
    const survey = await this.surveys.get(code);
    const publicationAt = survey.settings.publicationAt;
    const context = { title: `Results of ${survey.name}`, survey: { code: survey.code, name: survey.name } };
    if (!isPublished(publicationAt)) {
      return this.pages.render(res, 'results-public.njk', { ...context, published: false, sentence: publicationSentence(survey.name, publicationAt, false) });
    }
    const scores = await this.results.openData(survey.code, null);
    this.pages.render(res, 'results-public.njk', {
      ...context, published: true, sentence: publicationSentence(survey.name, publicationAt, true), threshold: scores.threshold,
      respondents: scores.respondents, questions: nationalRows(scores),
      // Questionnaires in parts: the children's and the parents' answers as sections, each with its respondents.
      sections: bySection(scores, nationalRows(scores))?.map((s) => ({ ...s, respondents: scores.sections!.find((x) => x.respondent === s.respondent)!.national.respondents })),
      files: Object.entries(OPEN_DATA).map(([file, { title }]) => ({ href: `/results/${encodeURIComponent(survey.code)}/open-data/${file}`, file, title })),
    });
  }

  @Get('open-data/:file')
  async openData(@Param('survey') code: string, @Param('file') file: string, @Res() res: Response) {
    const table = Object.hasOwn(OPEN_DATA, file) ? OPEN_DATA[file] : undefined;
    if (!table) throw new NotFoundError('There is no such open-data file: the files are national.csv, icb.csv, alliance.csv and trust.csv', 'file');
    try {
      const scores = await this.results.openData(code, null);
      res.setHeader('Cache-Control', 'no-store');
      res.send(csvDownload(res, `${scores.survey}-${file}`, scoresCsv(scores, table.level)));
    } catch (error) {
      if (!(error instanceof ResultsEmbargoed)) throw error;
      res.status(403).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      res.send(`${error.sentence}\n`);
    }
  }
}
