import { Module } from '@nestjs/common';
import { MaintenanceProcessor } from './maintenance.processor';
import { MaintenanceScheduler } from './maintenance.scheduler';

/** Worker-side housekeeping. */
@Module({ providers: [MaintenanceProcessor, MaintenanceScheduler] })
export class MaintenanceModule {}
