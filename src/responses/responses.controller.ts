import { Body, Controller, Get, HttpCode, Param, Post, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { Audited } from '../audit/audited';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import type {} from 'multer';
import { unlink } from 'node:fs/promises';
import { Public, Roles } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { BookReturnDto, OnlineAnswersDto } from './dto/responses.dto';
import { OnlineFormService } from './online-form.service';
import { ReturnsService } from './returns.service';
import { ScansService } from './scans.service';

/** The post room and the scanning bureau's files. */
@Controller('api/surveys/:survey')
@Roles('coordinator')
export class ResponsesController {
  constructor(private readonly returns: ReturnsService, private readonly scans: ScansService) {}

  /** One envelope booked in by reference (a barcode scanner types it). */
  @Post('returns')
  @Audited('return.book')
  @HttpCode(200)
  bookIn(@Param('survey') survey: string, @Body() body: BookReturnDto, @Req() req: Request) {
    return this.returns.bookIn(survey, body, req.principal!.id);
  }

  /** A returns file (reference, received_date, type), multipart field `file`. */
  @Post('returns/files')
  @Audited('returns.import')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file'))
  importReturns(@Param('survey') survey: string, @UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    return withUpload(file, (f) => this.returns.importFile(survey, f.path, f.originalname, req.principal!.id));
  }

  /** The scanning bureau's answers file, multipart field `file`. */
  @Post('scans/files')
  @Audited('scans.import')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file'))
  importScans(@Param('survey') survey: string, @UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    return withUpload(file, (f) => this.scans.importFile(survey, f.path, f.originalname, req.principal!.id));
  }
}

/**
 * The patient's own questionnaire, entered with the access code from their letter. Open
 * without login: the code is the key, and guesses count against the caller's address as on
 * the pages (OnlineFormService).
 */
@Controller('api/online/:code')
@Public()
export class OnlineResponsesController {
  constructor(private readonly online: OnlineFormService) {}

  @Get()
  questionnaire(@Param('code') code: string, @Req() req: Request) {
    return this.online.questionnaire(code, req.ip ?? 'unknown');
  }

  @Post('response')
  @Audited('response.online')
  @HttpCode(201)
  submit(@Param('code') code: string, @Body() body: OnlineAnswersDto, @Req() req: Request) {
    return this.online.submitAnswers(code, body.answers, req.ip ?? 'unknown', body.part);
  }
}

async function withUpload<T>(file: Express.Multer.File | undefined, work: (file: Express.Multer.File) => Promise<T>): Promise<T> {
  try {
    if (!file) throw new DomainError('validation_failed', 'Attach the file in the multipart field "file"', [{ where: 'file', message: 'missing' }]);
    return await work(file);
  } finally {
    if (file) await unlink(file.path).catch(() => undefined);
  }
}
