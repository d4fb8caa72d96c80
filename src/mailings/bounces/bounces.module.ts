import { Module } from '@nestjs/common';
import { BounceReceiver } from './bounce-receiver';
import { BouncesService } from './bounces.service';

/** Bounce reading and its SMTP receiver: imported by the worker process only (the receiver listens there). */
@Module({ providers: [BouncesService, BounceReceiver], exports: [BouncesService, BounceReceiver] })
export class BouncesModule {}
