import type { Type } from '@nestjs/common';

/**
 * Where the commands live and what each group needs to run: the Nest module its services
 * belong to, and whether it may enqueue jobs (only then does the CLI connect to Redis and load SMTP).
 * Loaded one group at a time, so a command starts only its own corner of the service.
 * A group without `module` needs no Nest context (every command in it says needsApp: false).
 */
export interface CommandGroup {
  load: () => Promise<object>;
  module?: () => Promise<Type>;
  queues?: boolean;
}

export const COMMAND_GROUPS: CommandGroup[] = [
  { load: () => import('../infra/database/database.commands') },
  { load: () => import('../questionnaires/questionnaires.commands') },
  { load: () => import('../surveys/surveys.commands'), module: () => import('../surveys/surveys.module').then((m) => m.SurveysModule) },
  { load: () => import('../trusts/trusts.commands'), module: () => import('../trusts/trusts.module').then((m) => m.TrustsModule) },
  { load: () => import('../samples/samples.commands'), module: () => import('../samples/samples.module').then((m) => m.SamplesModule) },
  { load: () => import('../deaths/deaths.commands'), module: () => import('../deaths/deaths.module').then((m) => m.DeathsModule) },
  { load: () => import('../mailings/mailings.commands'), module: () => import('../mailings/mailings.module').then((m) => m.MailingsModule), queues: true },
  { load: () => import('../responses/responses.commands'), module: () => import('../responses/responses.module').then((m) => m.ResponsesModule) },
  // The helpline re-sends packs through the mailings module, which enqueues.
  { load: () => import('../helpline/helpline.commands'), module: () => import('../helpline/helpline.module').then((m) => m.HelplineModule), queues: true },
  { load: () => import('../reports/reports.commands'), module: () => import('../reports/reports.module').then((m) => m.ReportsModule) },
  { load: () => import('../results/results.commands'), module: () => import('../results/results.module').then((m) => m.ResultsModule) },
  { load: () => import('../results/publication.commands'), module: () => import('../results/results.module').then((m) => m.ResultsModule) },
  { load: () => import('../results/analysts.commands'), module: () => import('../results/results.module').then((m) => m.ResultsModule) },
  // results:reports queues one job per report for the workers.
  { load: () => import('../local-reports/local-reports.commands'), module: () => import('../local-reports/local-reports.module').then((m) => m.LocalReportsModule), queues: true },
  { load: () => import('../areas/areas.commands'), module: () => import('../areas/areas.module').then((m) => m.AreasModule) },
  { load: () => import('../users/users.commands'), module: () => import('../users/users.module').then((m) => m.UsersModule) },
  { load: () => import('../audit/audit.commands'), module: () => import('../audit/audit.module').then((m) => m.AuditModule) },
  { load: () => import('../retention/retention.commands'), module: () => import('../retention/retention.module').then((m) => m.RetentionModule) },
];
