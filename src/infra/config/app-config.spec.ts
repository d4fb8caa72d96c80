import { AppConfig, ConfigError, loadConfig } from './app-config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('runs with nothing configured, on local defaults', () => {
    const config = loadConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config).toMatchObject({
      NODE_ENV: 'development', PORT: 3000, QUEUE_PREFIX: 'fieldwork',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/fieldwork', REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.SMTP_HOST).toBeUndefined();
  });

  it('turns numeric and boolean strings into typed values', () => {
    const config = loadConfig({ PORT: '8080', SMTP_PORT: '2525', SMTP_SECURE: 'true', SMTP_HOST: 'mail.example.org' });
    expect(config.PORT).toBe(8080);
    expect(config.SMTP_PORT).toBe(2525);
    expect(config.SMTP_SECURE).toBe(true);
  });

  it('lists every bad variable at once, one line each', () => {
    const problems = problemsOf({
      PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379', SMTP_PORT: '0',
      SMTP_SECURE: 'sometimes', MAIL_FROM: 'not-an-address', QUEUE_PREFIX: 'has spaces', NODE_ENV: 'staging',
    });
    expect(problems).toEqual(expect.arrayContaining([
      'PORT must be a whole number from 1 to 65535',
      'DATABASE_URL must be a postgres:// URL',
      'REDIS_URL must be a redis:// URL',
      'SMTP_PORT must be a whole number from 1 to 65535',
      'SMTP_SECURE must be true or false',
      'MAIL_FROM must be an e-mail address',
      'QUEUE_PREFIX must be 1-40 letters, digits, _ or -',
    ]));
    expect(problems.some((p) => p.startsWith('NODE_ENV'))).toBe(true);
    expect(problems).toHaveLength(8);
  });

  it('requires a long operator token in production, and SMTP_PASSWORD with SMTP_USER', () => {
    expect(problemsOf({ NODE_ENV: 'production', SMTP_USER: 'fieldwork' }).sort()).toEqual([
      'OPERATOR_TOKEN is required in production',
      'SMTP_PASSWORD is required when SMTP_USER is set',
    ]);
    expect(problemsOf({ OPERATOR_TOKEN: 'short' })).toEqual(['OPERATOR_TOKEN must be at least 32 characters']);
    expect(loadConfig({ NODE_ENV: 'production', OPERATOR_TOKEN: 'x'.repeat(32) }).OPERATOR_TOKEN).toHaveLength(32);
  });

  it('takes the print files\' size up to the 2,000 packs a file may hold', () => {
    expect(loadConfig({}).PRINT_FILE_PACKS).toBe(2000);
    expect(loadConfig({ PRINT_FILE_PACKS: '250' }).PRINT_FILE_PACKS).toBe(250);
    for (const bad of ['0', '2001', '25O', '-1']) {
      expect(problemsOf({ PRINT_FILE_PACKS: bad })).toEqual(['PRINT_FILE_PACKS must be a whole number from 1 to 2000']);
    }
  });

  it('lets a job be abandoned by dying workers 5 times by default before BullMQ fails it', () => {
    expect(loadConfig({}).WORKER_MAX_STALLS).toBe(5);
    expect(loadConfig({ WORKER_MAX_STALLS: '1' }).WORKER_MAX_STALLS).toBe(1);
    for (const bad of ['0', '101', 'five', '-1']) {
      expect(problemsOf({ WORKER_MAX_STALLS: bad })).toEqual(['WORKER_MAX_STALLS must be a whole number from 1 to 100']);
    }
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', SMTP_HOST: '' });
    expect(config.PORT).toBe(3000);
    expect(config.SMTP_HOST).toBeUndefined();
  });
});
