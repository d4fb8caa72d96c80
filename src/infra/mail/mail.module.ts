import { Global, Module } from '@nestjs/common';
import { ShutdownModule } from '../shutdown/shutdown.module';
import { MailTransport } from './mail-transport';

@Global()
@Module({ imports: [ShutdownModule], providers: [MailTransport], exports: [MailTransport] })
export class MailModule {}
