import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Trust } from './trust.entity';
import { TrustsController } from './trusts.controller';
import { TrustsService } from './trusts.service';

@Module({
  imports: [TypeOrmModule.forFeature([Trust])],
  controllers: [TrustsController],
  providers: [TrustsService],
  exports: [TrustsService],
})
export class TrustsModule {}
