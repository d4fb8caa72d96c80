import { Module } from '@nestjs/common';
import { DomainModule } from '../domain.module';
import { InfraModule } from '../infra/infra.module';

@Module({ imports: [InfraModule, DomainModule] })
export class CliModule {}
