import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { OneOffFormat, OneOffPack, OneOffPacksService } from '../mailings/one-off-packs.service';
import { describeBounce } from '../mailings/bounces/delivery-status';
import { lockForSuppressionChange } from '../mailings/suppression';
import { assertStillTakingResponses } from '../responses/fieldwork-open';
import { outcomeOf, PatientOutcome, recordEvent, todayInEngland } from '../responses/patient-events';
import { parseReferenceOrThrow } from '../responses/patient-reference';
import { ResponsesService } from '../responses/responses.service';
import { hasRespondents, PART_NAMES, questionnaireParts, ResponsePart } from '../questionnaires/questionnaire-parts';
import { isPseudoPostcode, normalisePostcode } from '../samples/rules/postcode';
import type { Addressee, SurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { FindPatientDto, LogContactDto } from './dto/helpline.dto';

export interface PatientSummary {
  reference: string;
  trustCode: string;
  trustName: string;
  title: string | null;
  firstName: string;
  surname: string;
  postcode: string;
  dateOfBirth: string;
  outcome: PatientOutcome;
}

export interface PatientRecord extends PatientSummary {
  survey: string;
  address: string[];
  email: string | null;
  mobile: string | null;
  preferredFormat: string;
  preferredLanguage: string | null;
  accessCodeUsed: boolean;
  /** The first response received (the one that made the patient a respondent), or null. */
  response: { mode: string; receivedOn: string } | null;
  /**
   * A questionnaire in parts (one per respondent, e.g. the child's and the parent's): each part,
   * returned or not, with how and when. Null for a questionnaire answered as a whole, and while
   * the patient's questionnaire is still to be chosen by age.
   */
  parts: PartStatus[] | null;
  events: {
    id: string; kind: string; mode: string | null; occurredOn: string; recordedBy: string; recordedAt: string; source: string;
    details: Record<string, unknown>;
  }[];
  /** In the order the steps were launched; `delivery`: a text's receipt from Notify (delivered, permanent-failure, …), else null. */
  mailings: { step: string; channel: string; status: string; suppressionReason: string | null; completedAt: string | null; delivery: string | null }[];
  /** The latest bounce of an e-mail to this patient, permanent first: when, and what the receiving server said, in words. */
  emailBounce: EmailBounce | null;
  oneOffPacks: OneOffPack[];
  /** Whom the mail is addressed to (the survey's `addressee`): the patient, or the parent or carer of a child. */
  addressee: Addressee;
  /**
   * The questionnaire the patient is sent: chosen by age when fieldwork starts for a survey with
   * questionnaires by age (null before then), else the survey's. `ages`: its age band in words.
   */
  questionnaire: { name: string | null; ages: string | null };
  /** Recorded as having died (by a trace or a call): when, and who said so. Never mailed again. */
  death: { dateOfDeath: string | null; source: string } | null;
}

export interface PartStatus {
  part: ResponsePart;
  /** Whose part it is, in words: "the child or young person", "the parent or carer". */
  name: string;
  returned: boolean;
  mode: string | null;
  receivedOn: string | null;
}

export interface EmailBounce { bouncedAt: string; permanent: boolean; code: string; description: string }

export interface LoggedContact {
  contactId: string;
  reference: string;
  type: string;
  recordedBy: string;
  recordedAt: string;
  outcome: PatientOutcome;
  /** A one-off pack queued by this call (large print, replacement), or null. */
  pack: { id: string; format: OneOffFormat; status: 'pending' } | null;
  /** What happens next, in words to read back to the caller. */
  note: string;
}

interface PatientRow {
  id: string; survey_id: string; trust_code: string; survey_reference: string; nhs_number: string;
  address: string[]; postcode: string; preferred_format: string;
}

const SUMMARY_COLUMNS = `p.id::text AS id, p.survey_reference AS reference, p.trust_code AS "trustCode", t.name AS "trustName",
  p.title, p.first_name AS "firstName", p.surname, p.postcode, to_char(p.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth"`;
const MAX_MATCHES = 20;

/**
 * The helpline's work: find the caller's patient, see their history, and log what they say.
 * Every contact is an event in the patient's history (who, when, what); the ones that stop mail
 * (opt-out, death, too ill) take effect under the suppression lock, so a print file being
 * committed at that moment either sees them or was already handed over. Trust users find only
 * their own trust's patients; another trust's patient is "not found", never shown.
 */
@Injectable()
export class HelplineService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly oneOffPacks: OneOffPacksService,
    private readonly responses: ResponsesService,
  ) {}

  async find(surveyCode: string, query: FindPatientDto, principal: Principal): Promise<{ matches: PatientSummary[] }> {
    const survey = await this.surveys.get(surveyCode);
    const scope = principal.role === 'trust' ? principal.trustCode! : null;
    let rows: (PatientSummary & { id: string })[];
    if (query.reference) {
      const reference = parseReferenceOrThrow(query.reference);
      rows = await this.dataSource.query(
        `SELECT ${SUMMARY_COLUMNS} FROM patients p JOIN trusts t ON t.code = p.trust_code
         WHERE p.survey_id = $1 AND p.survey_reference = $2 AND ($3::text IS NULL OR p.trust_code = $3)`, [survey.id, reference, scope]);
    } else {
      const missing = (['surname', 'postcode', 'dateOfBirth'] as const).filter((f) => !query[f]);
      if (missing.length) {
        throw new DomainError('validation_failed', 'Search by survey reference, or by surname, postcode and date of birth together',
          missing.map((f) => ({ where: f, message: 'needed with the other two' })));
      }
      const postcode = normalisePostcode(query.postcode!);
      if (!postcode) throw new DomainError('validation_failed', 'The postcode is not a UK postcode', [{ where: 'postcode', message: 'not a UK postcode' }]);
      rows = await this.dataSource.query(
        `SELECT ${SUMMARY_COLUMNS} FROM patients p JOIN trusts t ON t.code = p.trust_code
         WHERE p.survey_id = $1 AND lower(p.surname) = lower($2) AND p.postcode = $3 AND p.date_of_birth = $4
           AND ($5::text IS NULL OR p.trust_code = $5)
         ORDER BY p.survey_reference LIMIT ${MAX_MATCHES}`, [survey.id, query.surname!.trim(), postcode, query.dateOfBirth, scope]);
    }
    const matches: PatientSummary[] = [];
    for (const { id, ...row } of rows) matches.push({ ...row, outcome: await outcomeOf(this.dataSource.manager, id) });
    return { matches };
  }

  /** Everything the helpline may need about one patient, in time order. */
  async record(surveyCode: string | undefined, reference: string, principal: Principal): Promise<PatientRecord> {
    const { survey, patient } = await this.locate(this.dataSource.manager, surveyCode, reference, principal);
    const m = this.dataSource.manager;
    const [row] = await m.query(
      `SELECT ${SUMMARY_COLUMNS}, p.address, p.email, p.mobile, p.preferred_format, p.preferred_language, p.access_code_used_at, p.questionnaire
       FROM patients p JOIN trusts t ON t.code = p.trust_code WHERE p.id = $1`, [patient.id]);
    const responses: { part: ResponsePart; mode: string; receivedOn: string }[] = await m.query(
      `SELECT part, mode, to_char(received_on, 'YYYY-MM-DD') AS "receivedOn" FROM responses WHERE patient_id = $1 ORDER BY received_on, id`,
      [patient.id]);
    const events = await m.query(
      `SELECT id::text AS id, kind, mode, to_char(occurred_on, 'YYYY-MM-DD') AS "occurredOn", recorded_by AS "recordedBy",
         recorded_at AS "recordedAt", source, details FROM patient_events WHERE patient_id = $1 ORDER BY recorded_at, id`, [patient.id]);
    const [death] = await m.query(
      `SELECT to_char(date_of_death, 'YYYY-MM-DD') AS "dateOfDeath", source FROM survey_deaths WHERE survey_id = $1 AND nhs_number = $2`,
      [survey.id, patient.nhs_number]);
    const mailings = await m.query(
      `SELECT x.step, x.channel, x.status, x.suppression_reason AS "suppressionReason", x.completed_at AS "completedAt", x.delivery_status AS delivery
       FROM mailings x JOIN mailing_steps ms ON ms.survey_id = x.survey_id AND ms.step = x.step
       WHERE x.patient_id = $1 ORDER BY ms.scheduled_for, ms.step, array_position(ARRAY['postal', 'email', 'sms'], x.channel)`, [patient.id]);
    return {
      survey: survey.code,
      reference: row.reference, trustCode: row.trustCode, trustName: row.trustName, title: row.title, firstName: row.firstName,
      surname: row.surname, postcode: row.postcode, dateOfBirth: row.dateOfBirth, outcome: await outcomeOf(m, patient.id),
      address: row.address, email: row.email, mobile: row.mobile, preferredFormat: row.preferred_format,
      preferredLanguage: row.preferred_language, accessCodeUsed: row.access_code_used_at !== null,
      response: responses.length ? { mode: responses[0].mode, receivedOn: responses[0].receivedOn } : null,
      parts: this.partsOf(survey, row.questionnaire, responses),
      events: events.map((e: { recordedAt: Date }) => ({ ...e, recordedAt: e.recordedAt.toISOString() })),
      mailings: mailings.map((x: { completedAt: Date | null }) => ({ ...x, completedAt: x.completedAt?.toISOString() ?? null })),
      oneOffPacks: await this.oneOffPacks.list(survey.id, patient.id),
      emailBounce: await emailBounceOf(m, patient.id),
      addressee: survey.settings.addressee ?? 'patient',
      questionnaire: questionnaireOf(survey.settings, row.questionnaire),
      death: death ?? null,
    };
  }

  /** Each part of the patient's questionnaire and whether it is in, when it is a questionnaire in parts. */
  private partsOf(survey: Survey, chosen: string | null, responses: { part: ResponsePart; mode: string; receivedOn: string }[]): PartStatus[] | null {
    // With questionnaires by age and none chosen yet, which parts there will be is not known.
    if (!chosen && survey.settings.questionnaireByAge?.length) return null;
    const definition = this.responses.definitionFor(survey, chosen);
    if (!hasRespondents(definition)) return null;
    return questionnaireParts(definition).map(({ part }) => {
      const r = responses.find((x) => x.part === part);
      return { part, name: PART_NAMES[part], returned: Boolean(r), mode: r?.mode ?? null, receivedOn: r?.receivedOn ?? null };
    });
  }

  async log(surveyCode: string | undefined, reference: string, contact: LogContactDto, principal: Principal): Promise<LoggedContact> {
    const by = principal.id;
    const logged = await this.dataSource.transaction(async (m) => {
      const { survey, patient } = await this.locate(m, surveyCode, reference, principal, true);
      await lockForSuppressionChange(m, survey.id);
      // After close a call is still noted, but nothing that changes an outcome or posts a pack.
      if (contact.type !== 'query') await assertStillTakingResponses(m, survey.id);
      const today = todayInEngland();
      const base = { surveyId: survey.id, patientId: patient.id, occurredOn: today, recordedBy: by, source: 'helpline' as const };
      const said = { ...(contact.caller ? { caller: contact.caller } : {}), ...(contact.notes ? { notes: contact.notes } : {}) };
      let note: string;
      let packFormat: OneOffFormat | null = null;
      let eventId: string;
      switch (contact.type) {
        case 'opt_out':
          ({ id: eventId } = await this.event(m, { ...base, kind: 'opt_out', details: { reason: contact.reason ?? 'not given', ...said } }));
          note = 'Opted out: no further questionnaires or reminders will be sent.';
          // An opt-out does not withdraw a questionnaire already returned: say so, so the caller is not misled.
          if ((await m.query(`SELECT 1 FROM patient_events WHERE patient_id = $1 AND kind = 'completed' LIMIT 1`, [patient.id])).length) {
            note = 'Opted out, but this patient has already returned a questionnaire: that response is kept and still counts. '
              + 'Nothing more will be sent. If they want their answers withdrawn, pass the call to the survey coordinator.';
          }
          break;
        case 'too_ill':
          ({ id: eventId } = await this.event(m, { ...base, kind: 'too_ill', details: { ...said } }));
          note = 'Recorded as too ill to take part: no further questionnaires or reminders will be sent.';
          break;
        case 'ineligible':
          // e.g. "I was never treated for cancer there": outcome 5, out of the response-rate base.
          ({ id: eventId } = await this.event(m, {
            ...base, kind: 'ineligible', details: { reason: required(contact.reason, 'reason', 'why the patient is not eligible'), ...said },
          }));
          note = 'Recorded as not eligible for the survey: nothing more will be sent.';
          break;
        case 'deceased': {
          const died = required(contact.dateOfDeath, 'dateOfDeath', 'the date of death (an estimate is fine)');
          if (died > today) {
            const message = 'Enter the date of death, which must be today or in the past';
            throw new DomainError('validation_failed', message, [{ where: 'dateOfDeath', message }]);
          }
          // First report wins: a trace or another call does not move a recorded date of death.
          await m.query(
            `INSERT INTO survey_deaths (survey_id, nhs_number, date_of_death, source) VALUES ($1, $2, $3, 'helpline')
             ON CONFLICT (survey_id, nhs_number) DO NOTHING`, [survey.id, patient.nhs_number, died]);
          ({ id: eventId } = await this.event(m, { ...base, kind: 'deceased', details: { dateOfDeath: died, ...said } }));
          note = 'Recorded with our condolences: nothing more will be sent to this patient.';
          break;
        }
        case 'alternative_format': {
          const format = required(contact.format, 'format', 'the format asked for');
          const language = format === 'language' ? required(contact.language, 'language', 'the language asked for') : null;
          await m.query('UPDATE patients SET preferred_format = $2, preferred_language = coalesce($3, preferred_language) WHERE id = $1',
            [patient.id, format === 'large_print' ? 'large_print' : patient.preferred_format, language]);
          ({ id: eventId } = await this.event(m, { ...base, kind: 'alternative_format', details: { format, ...(language ? { language } : {}), ...said } }));
          if (format === 'large_print') {
            packFormat = 'large_print';
            note = 'A large-print questionnaire will be posted; later reminders will be in large print too.';
          } else {
            note = `${format === 'language' ? `A questionnaire in ${language}` : `The ${format.replace('_', ' ')} version`} is arranged by the coordinator with the specialist supplier; the request is on their list.`;
          }
          break;
        }
        case 'address_change': {
          const lines = required(contact.addressLines, 'addressLines', 'the new address (two to five lines)').map((l) => l.trim());
          // eslint-disable-next-line no-control-regex
          const bad = lines.findIndex((l) => !l || /[\u0000-\u001f\u007f]/.test(l));
          if (bad >= 0) throw new DomainError('validation_failed', `Address line ${bad + 1} is empty or has control characters`, [{ where: `addressLines[${bad}]`, message: 'not usable' }]);
          const postcode = normalisePostcode(required(contact.postcode, 'postcode', 'the new postcode'));
          if (!postcode || isPseudoPostcode(postcode)) throw new DomainError('validation_failed', 'The new postcode is not a UK postcode that post can reach', [{ where: 'postcode', message: 'not a UK postcode' }]);
          await m.query('UPDATE patients SET address = $2, postcode = $3 WHERE id = $1', [patient.id, lines, postcode]);
          ({ id: eventId } = await this.event(m, {
            ...base, kind: 'address_change',
            details: { previous: { address: patient.address, postcode: patient.postcode }, address: lines, postcode, ...said },
          }));
          note = 'The new address will be used for every later mailing.';
          break;
        }
        case 'replacement':
          ({ id: eventId } = await this.event(m, { ...base, kind: 'replacement', details: { ...said } }));
          packFormat = patient.preferred_format === 'large_print' ? 'large_print' : 'standard';
          note = 'A replacement questionnaire will be posted.';
          break;
        case 'query':
          required(contact.notes, 'notes', 'what the caller asked');
          ({ id: eventId } = await this.event(m, { ...base, kind: 'query', details: { ...said } }));
          note = 'Query recorded.';
          break;
      }
      const packId = packFormat ? await this.oneOffPacks.request(m, { id: patient.id, surveyId: survey.id }, eventId, packFormat) : null;
      if (packFormat && !packId) {
        if (contact.type === 'replacement') {
          throw new DomainError('invalid_state', `Nothing has been mailed yet in this survey: the patient will receive the initial mailing`);
        }
        note = 'Nothing has been posted yet: the first questionnaire will be in large print, and so will the reminders.';
      }
      const [event] = await m.query('SELECT recorded_at FROM patient_events WHERE id = $1', [eventId]);
      return {
        contactId: eventId, reference: patient.survey_reference, type: contact.type, recordedBy: by, recordedAt: event.recorded_at.toISOString(),
        outcome: await outcomeOf(m, patient.id),
        pack: packId && packFormat ? { id: packId, format: packFormat, status: 'pending' as const } : null, note,
      };
    });
    if (logged.pack) await this.oneOffPacks.enqueue([logged.pack.id]);
    return logged;
  }

  private async event(m: EntityManager, e: Parameters<typeof recordEvent>[1]): Promise<{ id: string }> {
    const { id } = await recordEvent(m, e);
    return { id: id! };
  }

  /** The patient a reference names, in the given survey or else the newest survey holding it; scoped for trust users. */
  private async locate(m: Pick<EntityManager, 'query'>, surveyCode: string | undefined, reference: string, principal: Principal, lock = false)
    : Promise<{ survey: Survey; patient: PatientRow }> {
    const canonical = parseReferenceOrThrow(reference);
    const survey = surveyCode ? await this.surveys.get(surveyCode) : undefined;
    const [patient]: PatientRow[] = await m.query(
      `SELECT p.id::text AS id, p.survey_id, p.trust_code, p.survey_reference, p.nhs_number, p.address, p.postcode, p.preferred_format
       FROM patients p JOIN surveys s ON s.id = p.survey_id
       WHERE p.survey_reference = $1 AND ($2::uuid IS NULL OR p.survey_id = $2)
       ORDER BY s.period_start DESC LIMIT 1 ${lock ? 'FOR UPDATE OF p' : ''}`, [canonical, survey?.id ?? null]);
    if (!patient || (principal.role === 'trust' && principal.trustCode !== patient.trust_code)) {
      throw new NotFoundError(surveyCode ? 'No patient of this survey has that reference: check the survey reference' : 'No patient has that survey reference: check the reference', 'reference');
    }
    return { survey: survey ?? (await this.surveys.getById(patient.survey_id))!, patient };
  }
}

function required<T>(value: T | undefined, field: string, what: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    throw new DomainError('validation_failed', `Enter ${what}: this contact cannot be recorded without it`, [{ where: field, message: `Enter ${what}` }]);
  }
  return value;
}

async function emailBounceOf(m: EntityManager, patientId: string): Promise<EmailBounce | null> {
  const [b] = await m.query(
    `SELECT bounced_at, bounce_status, bounce_code FROM mailings WHERE patient_id = $1 AND bounced_at IS NOT NULL
     ORDER BY bounce_status = 'permanent' DESC, bounced_at DESC LIMIT 1`, [patientId]);
  if (!b) return null;
  return {
    bouncedAt: b.bounced_at.toISOString(), permanent: b.bounce_status === 'permanent', code: b.bounce_code,
    description: describeBounce(b.bounce_code, b.bounce_status),
  };
}

/** The patient's questionnaire and its age band; with bands and none chosen yet (before fieldwork), unknown. */
function questionnaireOf(settings: SurveySettings, chosen: string | null): PatientRecord['questionnaire'] {
  const bands = settings.questionnaireByAge ?? [];
  const name = chosen ?? (bands.length ? null : settings.questionnaire);
  const band = bands.find((b) => b.questionnaire === name);
  return { name, ages: band ? `ages ${band.fromAge} to ${band.toAge}` : null };
}
