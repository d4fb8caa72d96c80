import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { Audited } from '../audit/audited';
import type { Request } from 'express';
import { Roles } from '../auth/roles';
import { OneOffPacksService } from '../mailings/one-off-packs.service';
import { AnswersDto } from '../responses/dto/responses.dto';
import { ResponsesService } from '../responses/responses.service';
import { SurveysService } from '../surveys/surveys.service';
import { FindPatientDto, LogContactDto } from './dto/helpline.dto';
import { HelplineService } from './helpline.service';

/** Finding a caller's patient, their history, and logging what the caller says. */
@Controller('api/surveys/:survey')
export class HelplineController {
  constructor(
    private readonly helpline: HelplineService,
    private readonly responses: ResponsesService,
    private readonly oneOffPacks: OneOffPacksService,
    private readonly surveys: SurveysService,
  ) {}

  /** ?reference=RXX-004821-7, or ?surname=&postcode=&dateOfBirth= together. */
  @Get('patients')
  @Roles('coordinator', 'helpline', 'trust')
  @Audited('patient.search')
  find(@Param('survey') survey: string, @Query() query: FindPatientDto, @Req() req: Request) {
    return this.helpline.find(survey, query, req.principal!);
  }

  @Get('patients/:ref')
  @Roles('coordinator', 'helpline', 'trust')
  @Audited('patient.read')
  record(@Param('survey') survey: string, @Param('ref') ref: string, @Req() req: Request) {
    return this.helpline.record(survey, ref, req.principal!);
  }

  @Post('patients/:ref/contacts')
  @Roles('coordinator', 'helpline')
  @Audited('patient.contact')
  log(@Param('survey') survey: string, @Param('ref') ref: string, @Body() body: LogContactDto, @Req() req: Request) {
    return this.helpline.log(survey, ref, body, req.principal!);
  }

  /** A questionnaire completed over the phone. */
  @Post('patients/:ref/responses')
  @Roles('coordinator', 'helpline')
  @Audited('response.phone')
  phoneResponse(@Param('survey') survey: string, @Param('ref') ref: string, @Body() body: AnswersDto, @Req() req: Request) {
    return this.responses.submitPhone(survey, ref, body.answers, req.principal!.id);
  }

  /** Single packs asked for on the phone, for the print room. */
  @Get('one-off-packs')
  @Roles('coordinator')
  @Audited('packs.list')
  async packs(@Param('survey') survey: string) {
    return { packs: await this.oneOffPacks.list((await this.surveys.get(survey)).id) };
  }
}
