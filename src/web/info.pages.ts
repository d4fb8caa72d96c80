import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { Pages } from './pages';

const SERVICE = { serviceName: 'Cancer Patient Experience Survey' };

interface About {
  footerSurvey?: string;
  footerTrust?: string;
  helplinePhone?: string;
  helplineEmail?: string;
  trustName?: string;
  retentionDays?: number;
}

/**
 * The pages every footer links to: how we use your information, the accessibility statement
 * and how to contact us. Open to anyone. Linked from a patient's questionnaire they carry the
 * survey (and the patient's trust), so they can give that survey's helpline and name the
 * trust; an unknown survey or trust is simply not mentioned, and general wording is used.
 */
@Controller()
@Public()
export class InfoPages {
  constructor(private readonly pages: Pages, private readonly surveys: SurveysService, private readonly trusts: TrustsService) {}

  @Get('privacy')
  async privacy(@Query('survey') survey: unknown, @Query('trust') trust: unknown, @Res() res: Response) {
    this.pages.render(res, 'info-privacy.njk', { ...SERVICE, ...(await this.about(survey, trust)), title: 'How we use your information' });
  }

  @Get('accessibility')
  async accessibility(@Query('survey') survey: unknown, @Query('trust') trust: unknown, @Res() res: Response) {
    this.pages.render(res, 'info-accessibility.njk', { ...SERVICE, ...(await this.about(survey, trust)), title: 'Accessibility statement' });
  }

  @Get('contact')
  async contact(@Query('survey') survey: unknown, @Query('trust') trust: unknown, @Res() res: Response) {
    this.pages.render(res, 'info-contact.njk', { ...SERVICE, ...(await this.about(survey, trust)), title: 'Contact us' });
  }

  private async about(surveyCode: unknown, trustCode: unknown): Promise<About> {
    const survey = typeof surveyCode === 'string' ? await known(this.surveys.get(surveyCode)) : undefined;
    if (!survey) return {};
    const trust = typeof trustCode === 'string' ? await known(this.trusts.get(trustCode)) : undefined;
    return {
      footerSurvey: survey.code, footerTrust: trust?.code, trustName: trust?.name, helplinePhone: survey.settings.helplinePhone,
      helplineEmail: survey.settings.helplineEmail, retentionDays: survey.settings.retentionDaysAfterClose,
    };
  }
}

/** The record, or undefined when there is none by that code. */
async function known<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return undefined;
    throw error;
  }
}
