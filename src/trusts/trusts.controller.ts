import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Roles } from '../auth/roles';
import { AddTrustDto, SetTrustPtcDto } from './dto/add-trust.dto';
import { TrustView, trustView } from './trust-view';
import { TrustsService } from './trusts.service';

@Controller('api/trusts')
@Roles('coordinator')
export class TrustsController {
  constructor(private readonly trusts: TrustsService) {}

  @Post()
  async add(@Body() input: AddTrustDto): Promise<TrustView> {
    return trustView(await this.trusts.add(input));
  }

  /** Marks the trust as a Principal Treatment Centre, or no longer one (as trust:ptc). */
  @Post(':code/ptc') @HttpCode(200)
  async setPtc(@Param('code') code: string, @Body() input: SetTrustPtcDto): Promise<TrustView> {
    return trustView(await this.trusts.setPtc(code, input.ptc));
  }

  @Get()
  async list(): Promise<{ trusts: TrustView[] }> {
    return { trusts: (await this.trusts.list()).map(trustView) };
  }
}
