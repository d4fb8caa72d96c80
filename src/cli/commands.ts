import { areasImport, resultsDerive } from '../areas/areas.commands';
import { dbMigrate, dbRevert } from '../infra/database/database.commands';
import { deathsImport } from '../deaths/deaths.commands';
import { helplineFind, helplineLog, helplineShow } from '../helpline/helpline.commands';
import { printBatch, waveLaunch, wavePause, waveReconcile, waveResume, waveRetryFailed, waveStatus } from '../mailings/mailings.commands';
import { questionnaireCheck } from '../questionnaires/questionnaires.commands';
import { reportOverallRating, reportResponseRates, reportResponsesOverTime } from '../reports/reports.commands';
import { returnsBook, returnsImport, scansImport } from '../responses/responses.commands';
import { RESULTS_COMMANDS } from '../results/results.commands';
import { PUBLICATION_COMMANDS } from '../results/publication.commands';
import { resultsComments, resultsDataset } from '../results/analysts.commands';
import { LOCAL_REPORTS_COMMANDS } from '../local-reports/local-reports.commands';
import { sampleImport, sampleLock, sampleReport, sampleStatus } from '../samples/samples.commands';
import { surveyCreate, surveyFieldworkStart, surveyList } from '../surveys/surveys.commands';
import { trustAdd, trustList, trustPtc } from '../trusts/trusts.commands';
import { userAdd, userDisable, userList, userResetPassword, userToken } from '../users/users.commands';
import { auditList } from '../audit/audit.commands';
import { surveyClose, surveyPurge } from '../retention/retention.commands';
import type { CliCommand } from './cli-command';

/** Every coordinator command, in the order `help` lists them. */
export const COMMANDS: CliCommand[] = [dbMigrate, dbRevert, surveyCreate, surveyList, surveyFieldworkStart, trustAdd, trustPtc, trustList,
  sampleImport, sampleReport, sampleStatus, sampleLock, questionnaireCheck, deathsImport, waveLaunch, waveStatus, wavePause, waveResume, waveRetryFailed, waveReconcile,
  printBatch, returnsBook, returnsImport, scansImport, helplineFind, helplineShow, helplineLog,
  reportResponseRates, reportResponsesOverTime, reportOverallRating, ...RESULTS_COMMANDS, ...PUBLICATION_COMMANDS, resultsComments, resultsDataset, ...LOCAL_REPORTS_COMMANDS,
  userAdd, userList, userDisable, userResetPassword, userToken,
  auditList, areasImport, resultsDerive, surveyClose, surveyPurge];
