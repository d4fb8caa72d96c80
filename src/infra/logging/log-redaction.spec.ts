import { loggablePath } from './log-redaction';

describe('paths as the logs show them', () => {
  it('drops the query string and masks the access code of the patient routes', () => {
    expect(loggablePath('/s/K7MR-2XQP-9HTA/q/3?answer=Smith')).toBe('/s/[code]/q/3');
    expect(loggablePath('/s/k7mr2xqp9hta')).toBe('/s/[code]');
    expect(loggablePath('/api/online/K7MR-2XQP-9HTA/response')).toBe('/api/online/[code]/response');
    expect(loggablePath('/s')).toBe('/s');
  });

  it('masks any segment shaped like an access code, an NHS number or an e-mail address', () => {
    expect(loggablePath('/api/x/K7MR-2XQP-9HTA')).toBe('/api/x/[masked]');
    expect(loggablePath('/api/x/943%20476%205919/y')).toBe('/api/x/[masked]/y');
    expect(loggablePath('/api/users/ann%40example.nhs.uk')).toBe('/api/users/[masked]');
    expect(loggablePath('/api/surveys/CPES-2026/patients/R0001234')).toBe('/api/surveys/CPES-2026/patients/R0001234');
  });
});
