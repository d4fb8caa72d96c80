import { Body, Controller, Get, Post } from '@nestjs/common';
import { Roles } from '../auth/roles';
import { AddTrustDto } from './dto/add-trust.dto';
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

  @Get()
  async list(): Promise<{ trusts: TrustView[] }> {
    return { trusts: (await this.trusts.list()).map(trustView) };
  }
}
