import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Roles } from '../auth/roles';
import { CreateSurveyDto } from './dto/create-survey.dto';
import { FieldworkStartDto } from './dto/fieldwork-start.dto';
import { SurveyView, surveyView } from './survey-view';
import { SurveysService } from './surveys.service';

@Controller('api/surveys')
@Roles('coordinator')
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Post()
  async create(@Body() input: CreateSurveyDto): Promise<SurveyView> {
    return surveyView(await this.surveys.create(input));
  }

  @Get()
  async list(): Promise<{ surveys: SurveyView[] }> {
    return { surveys: (await this.surveys.list()).map(surveyView) };
  }

  /** Sets the day fieldwork starts, before the first mailing (as survey:fieldwork-start). */
  @Post(':code/fieldwork-start') @HttpCode(200)
  async setFieldworkStart(@Param('code') code: string, @Body() input: FieldworkStartDto): Promise<SurveyView> {
    return surveyView(await this.surveys.setFieldworkStart(code, input.date));
  }

  @Get(':code')
  async get(@Param('code') code: string): Promise<SurveyView> {
    return surveyView(await this.surveys.get(code));
  }
}
