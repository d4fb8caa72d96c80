import { SurveysAndTrusts1795305600000 } from './1795305600000-surveys-and-trusts';
import { SampleIntake1795392000000 } from './1795392000000-sample-intake';
import { PrintBatches1795478400000 } from './1795478400000-print-batches';
import { DeceasedChecks1795564800000 } from './1795564800000-deceased-checks';
import { MailingLedger1795651200000 } from './1795651200000-mailing-ledger';
import { PatientSampleFileCheck1795737600000 } from './1795737600000-patient-sample-file-check';
import { Responses1795824000000 } from './1795824000000-responses';
import { MailingTrust1795910400000 } from './1795910400000-mailing-trust';
import { UsersAuditRetention1795996800000 } from './1795996800000-users-audit-retention';
import { OnlineDrafts1796083200000 } from './1796083200000-online-drafts';
import { DeathsCollation1796169600000 } from './1796169600000-deaths-collation';
import { AuditOutlivesPatients1796256000000 } from './1796256000000-audit-outlives-patients';
import { LeastPrivilege1796260000000 } from './1796260000000-least-privilege';
import { MailingInterrupted1796428800000 } from './1796428800000-mailing-interrupted';
import { AreaLookup1796947200000 } from './1796947200000-area-lookup';
import { OutcomesPerSurvey1797033600000 } from './1797033600000-outcomes-per-survey';
import { ReportRuns1797120000000 } from './1797120000000-report-runs';
import { PrereleaseAccess1797206400000 } from './1797206400000-prerelease-access';
import { SampleImportStaging1797379200000 } from './1797379200000-sample-import-staging';
import { OutcomeFactsOnPatients1797552000000 } from './1797552000000-outcome-facts-on-patients';
import { SampleFileExclusions1797638400000 } from './1797638400000-sample-file-exclusions';
import { MailingPlanAndSms1797724800000 } from './1797724800000-mailing-plan-and-sms';
import { EmailBounces1797811200000 } from './1797811200000-email-bounces';
import { SuppressionReasonsUnion1797900000000 } from './1797900000000-suppression-reasons-union';
import { SurveyKinds1797979200000 } from './1797979200000-survey-kinds';
import { MailingSentCounts1797993600000 } from './1797993600000-mailing-sent-counts';
import { Over15Exclusion1798000000000 } from './1798000000000-over-15-exclusion';
import { ResponseParts1798020000000 } from './1798020000000-response-parts';
import { OneOffPackLetters1798023600000 } from './1798023600000-one-off-pack-letters';
import { OutcomeFunction1798108800000 } from './1798108800000-outcome-function';
import { DeathOutcomeFunction1798300800000 } from './1798300800000-death-outcome-function';

/** Every migration, oldest first. Listed by hand so the same list runs from dist/ and under jest. */
export const MIGRATIONS = [
  SurveysAndTrusts1795305600000, SampleIntake1795392000000, PrintBatches1795478400000, DeceasedChecks1795564800000,
  MailingLedger1795651200000, PatientSampleFileCheck1795737600000, Responses1795824000000, MailingTrust1795910400000,
  UsersAuditRetention1795996800000, OnlineDrafts1796083200000, DeathsCollation1796169600000,
  AuditOutlivesPatients1796256000000, LeastPrivilege1796260000000, MailingInterrupted1796428800000,
  AreaLookup1796947200000, OutcomesPerSurvey1797033600000, ReportRuns1797120000000, PrereleaseAccess1797206400000,
  SampleImportStaging1797379200000, OutcomeFactsOnPatients1797552000000, SampleFileExclusions1797638400000,
  MailingPlanAndSms1797724800000, EmailBounces1797811200000, SuppressionReasonsUnion1797900000000,
  SurveyKinds1797979200000, MailingSentCounts1797993600000, Over15Exclusion1798000000000, ResponseParts1798020000000,
  OneOffPackLetters1798023600000, OutcomeFunction1798108800000, DeathOutcomeFunction1798300800000,
];
