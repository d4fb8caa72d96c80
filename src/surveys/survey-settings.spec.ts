import { DomainError } from '../infra/errors/domain-error';
import { parseSurveySettings } from './survey-settings';

describe('survey settings', () => {
  it('defaults to the CPES rules', () => {
    expect(parseSurveySettings()).toEqual({
      minimumAge: 16,
      icd10Scope: ['C00-C97', 'D05'],
      ptcOnly: false,
      addressee: 'patient',
      schedule: { reminder_1: 21, reminder_2: 49 },
      deceasedCheckMaxAgeDays: 7,
      suppressionThreshold: 21,
      maxRejectedRowShare: 0.2,
      retentionDaysAfterClose: 30,
      questionnaire: 'cpes-2026',
      helplinePhone: '0808 157 0192',
      helplineEmail: 'cpes-helpline@fieldwork.invalid',
      signatory: { name: 'The Survey Manager', role: 'National Cancer Patient Experience Survey' },
    });
  });

  it("takes the letters' signatory, merging a role alone over the default name", () => {
    expect(parseSurveySettings({ signatory: { name: 'Dr Siobhán Ó Testáin', role: 'Chief Nurse' } }).signatory)
      .toEqual({ name: 'Dr Siobhán Ó Testáin', role: 'Chief Nurse' });
    expect(parseSurveySettings({ signatory: { role: 'Chief Nurse' } }).signatory)
      .toEqual({ name: 'The Survey Manager', role: 'Chief Nurse' });
  });

  it('refuses a signatory that is empty, more than one line, too long, not an object or has unknown keys', () => {
    const where = (overrides: object) => {
      try {
        parseSurveySettings(overrides);
      } catch (e) {
        return (e as DomainError).details.map((d) => d.where);
      }
      return [];
    };
    expect(where({ signatory: { name: '' } })).toContain('settings.signatory.name');
    expect(where({ signatory: { name: '  Dr Jane Smith' } })).toContain('settings.signatory.name');
    expect(where({ signatory: { name: 'Dr Jane\nSmith' } })).toContain('settings.signatory.name');
    expect(where({ signatory: { role: 'x'.repeat(121) } })).toContain('settings.signatory.role');
    expect(where({ signatory: { name: 42 } })).toContain('settings.signatory.name');
    expect(where({ signatory: 'Dr Jane Smith' })).toContain('settings.signatory');
    expect(where({ signatory: { name: 'Dr Jane Smith', phone: '0' } })).toContain('settings.signatory.phone');
  });

  it('merges overrides, including part of the schedule', () => {
    const settings = parseSurveySettings({ minimumAge: 0, schedule: { reminder_2: 60 }, icd10Scope: ['C00-C97'] });
    expect(settings.minimumAge).toBe(0);
    expect(settings.schedule).toEqual({ reminder_1: 21, reminder_2: 60 });
    expect(settings.icd10Scope).toEqual(['C00-C97']);
  });

  it('rejects unknown keys and bad values, naming each setting', () => {
    let error: DomainError | undefined;
    try {
      parseSurveySettings({ minimumAge: -1, icd10Scope: ['C5'], schedule: { reminder_1: 50, reminder_2: 49 }, colour: 'blue' });
    } catch (e) {
      error = e as DomainError;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error!.code).toBe('validation_failed');
    const where = error!.details.map((d) => d.where);
    expect(where).toEqual(expect.arrayContaining([
      'settings.minimumAge', 'settings.icd10Scope', 'settings.schedule', 'settings.colour',
    ]));
  });

  it('rejects a backwards ICD-10 range and a non-object', () => {
    expect(() => parseSurveySettings({ icd10Scope: ['C97-C00'] })).toThrow(/a range must run forwards within one letter/);
    expect(() => parseSurveySettings([1, 2])).toThrow(/must be a JSON object/);
  });

  it('takes a publication time only as an instant with its offset, and has none by default', () => {
    expect(parseSurveySettings().publicationAt).toBeUndefined();
    expect(parseSurveySettings({ publicationAt: '2027-06-10T08:30:00Z' }).publicationAt).toBe('2027-06-10T08:30:00Z');
    expect(parseSurveySettings({ publicationAt: '2027-06-10T09:30:00+01:00' }).publicationAt).toBe('2027-06-10T09:30:00+01:00');
    for (const bad of ['2027-06-10', '2027-06-10T09:30:00', '2027-02-30T09:30:00Z', 'soon', 20270610]) {
      expect(() => parseSurveySettings({ publicationAt: bad })).toThrow(/settings\.publicationAt: publicationAt must be a date and time with its offset from UTC|publicationAt is not a real date and time/);
    }
  });
});
