import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf,
  validateSync, ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
/** One message whichever bound fails, so "PORT=abc" reads as one problem, not three. */
const IntBetween = (min: number, max: number) => {
  const message = ({ property }: { property: string }) => `${property} must be a whole number from ${min} to ${max}`;
  return applyDecorators(Transform(toInt), IsInt({ message }), Min(min, { message }), Max(max, { message }));
};
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

/**
 * Every setting the service reads, validated once at boot. Nothing else reads process.env.
 * Defaults are the local ones, so a fresh checkout runs with nothing configured.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IntBetween(1, 65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/fieldwork';

  /**
   * The service and workers connect as the least-privilege role the migrations create and
   * grant (fieldwork_app: rows only; the audit log insert and read). DATABASE_URL is the
   * owner's, for set-up and migrations. Unset: DATABASE_URL with fieldwork_app as the user.
   */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'DATABASE_APP_URL must be a postgres:// URL' })
  DATABASE_APP_URL?: string;

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** BullMQ key prefix; tests use their own so they never touch the demo's queues. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'QUEUE_PREFIX must be 1-40 letters, digits, _ or -' })
  QUEUE_PREFIX = 'fieldwork';

  /**
   * This machine's folder: the store itself when STORAGE_URL is unset, and always the place for
   * scratch files (a print file while it is rendered, an upload while it is imported).
   */
  @IsString() @MinLength(1)
  STORAGE_DIR = 'var/storage';

  /**
   * s3://bucket/prefix: generated files (print files, manifests, one-off packs, outbox, report
   * runs) go to this S3-compatible bucket, shared by every machine. Unset: STORAGE_DIR.
   */
  @IsOptional() @Matches(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._\/-]*)?$/,
    { message: 'STORAGE_URL must be s3://bucket or s3://bucket/prefix (a bucket name in lower case, a prefix of letters, digits, . _ - /)' })
  STORAGE_URL?: string;

  /** The object store's address when it is not AWS (MinIO: http://minio:9000). Unset: AWS S3 for S3_REGION. */
  @IsOptional() @Matches(/^https?:\/\/[^\s/]+\/?$/, { message: 'S3_ENDPOINT must be an http(s) address such as http://minio:9000' })
  S3_ENDPOINT?: string;

  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'S3_REGION must be a region name such as eu-west-2' })
  S3_REGION = 'eu-west-2';

  /** Both or neither: unset, the SDK's own chain (an instance or task role) supplies credentials. */
  @ValidateIf((c: AppConfig) => c.S3_ACCESS_KEY_ID !== undefined || c.S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: 'S3_ACCESS_KEY_ID is required when S3_SECRET_ACCESS_KEY is set' })
  S3_ACCESS_KEY_ID?: string;

  @ValidateIf((c: AppConfig) => c.S3_ACCESS_KEY_ID !== undefined || c.S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: 'S3_SECRET_ACCESS_KEY is required when S3_ACCESS_KEY_ID is set' })
  S3_SECRET_ACCESS_KEY?: string;

  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without a trailing slash' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** Unset: e-mails are written as .eml files under STORAGE_DIR/outbox instead of sent. */
  @IsOptional() @Matches(/^[A-Za-z0-9.-]+$/, { message: 'SMTP_HOST must be a host name or address' })
  SMTP_HOST?: string;

  @IntBetween(1, 65535)
  SMTP_PORT = 587;

  @Transform(toBool) @IsBoolean({ message: 'SMTP_SECURE must be true or false' })
  SMTP_SECURE = false;

  @IsOptional() @IsString()
  SMTP_USER?: string;

  @ValidateIf((c: AppConfig) => c.SMTP_USER !== undefined)
  @IsString({ message: 'SMTP_PASSWORD is required when SMTP_USER is set' })
  SMTP_PASSWORD?: string;

  @IsEmail({}, { message: 'MAIL_FROM must be an e-mail address' })
  MAIL_FROM = 'cpes-survey@fieldwork.invalid';

  /**
   * Where bounces come back: every e-mail's envelope sender (return path) is
   * bounces+<ledger id>@ this domain. Unset: the domain of MAIL_FROM.
   */
  @IsOptional() @Matches(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, { message: 'BOUNCE_ADDRESS_DOMAIN must be a domain name, e.g. bounces.example.org' })
  BOUNCE_ADDRESS_DOMAIN?: string;

  /** The worker's bounce receiver (an SMTP listener for bounces+<id>@ addresses) listens here; 0 takes any free port. Unset: no receiver. */
  @IsOptional() @IntBetween(0, 65535)
  BOUNCE_SMTP_PORT?: number;

  @Matches(/^[A-Za-z0-9.:-]+$/, { message: 'BOUNCE_SMTP_HOST must be an address to listen on, e.g. 0.0.0.0' })
  BOUNCE_SMTP_HOST = '0.0.0.0';

  /** SMTP connections kept open per worker process (nodemailer's pool). */
  @IntBetween(1, 50)
  SMTP_POOL_SIZE = 5;

  /**
   * Longest silence tolerated from the SMTP server. An e-mail claimed for sending longer ago
   * than twice this is treated as interrupted (its worker died) rather than still in flight.
   */
  @IntBetween(1, 600)
  MAIL_SEND_TIMEOUT_SECONDS = 60;

  /**
   * How long a worker holds a job without renewing its lock before the job counts as stalled
   * and another worker takes it over (after a crash or kill).
   */
  @IntBetween(2, 600)
  WORKER_LOCK_SECONDS = 30;

  /**
   * How many times a job may be abandoned by dying workers (its lock expired) and still be taken
   * over; one more and BullMQ fails it without running it. Safe to be generous: every handler
   * is idempotent over the ledger, so a re-run never sends or prints anything twice.
   */
  @IntBetween(1, 100)
  WORKER_MAX_STALLS = 5;

  /**
   * Patient rows one sample file may hold. An import keeps no per-row state in the process, so
   * this is a check that it is the right file, not a memory bound: no trust sends more.
   */
  @IntBetween(1, 10_000_000)
  SAMPLE_MAX_ROWS = 250_000;

  /**
   * Packs in one print file, as agreed with the print contractor. 2,000 at most: a file's pages
   * are held while it is written (~23 KB each). Smaller files spread one step's printing over
   * more worker processes at once.
   */
  @IntBetween(1, 2000)
  PRINT_FILE_PACKS = 2000;

  /**
   * GOV.UK Notify, for texts: the API key (`name-<service id>-<secret>`, two UUIDs at its end)
   * and the SMS template, personalised with link, access_code and helpline. Either unset: SMS
   * is off, and a launch of a step with texts plans none and says so.
   */
  @IsOptional() @Matches(/^[A-Za-z0-9_-]*-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    { message: 'NOTIFY_API_KEY must be a Notify API key: its name, then the service id and the secret key (two UUIDs)' })
  NOTIFY_API_KEY?: string;

  /** Notify's API address; a local stand-in in tests. */
  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'NOTIFY_BASE_URL must be an http(s) URL without a trailing slash' })
  NOTIFY_BASE_URL = 'https://api.notifications.service.gov.uk';

  @IsOptional() @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'NOTIFY_SMS_TEMPLATE_ID must be a Notify template id (a UUID)' })
  NOTIFY_SMS_TEMPLATE_ID?: string;

  /** The bearer token Notify sends with its delivery receipts (set in Notify's callback settings). Unset: receipts are refused. */
  @IsOptional() @MinLength(16, { message: 'NOTIFY_CALLBACK_TOKEN must be at least 16 characters' })
  NOTIFY_CALLBACK_TOKEN?: string;

  /**
   * Until users arrive (access-control issue) one operator token grants the coordinator role.
   * Required in production; elsewhere a random one is generated per boot when unset.
   */
  @ValidateIf((c: AppConfig) => c.NODE_ENV === 'production' || c.OPERATOR_TOKEN !== undefined)
  @MinLength(32, { message: 'OPERATOR_TOKEN must be at least 32 characters' })
  @IsString({ message: 'OPERATOR_TOKEN is required in production' })
  OPERATOR_TOKEN?: string;

  /**
   * How long a stopping process (SIGTERM) may take to finish what it holds: e-mails already
   * claimed are sent and recorded, the print file being written is finished. Past it the
   * process exits 1 and what it held is taken over once its locks expire.
   */
  @IntBetween(1, 3600)
  SHUTDOWN_GRACE_SECONDS = 30;

  /** Bearer token for GET /metrics (Prometheus). Unset: /metrics answers 404. */
  @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** Worker processes serve their job metrics at http://…:METRICS_PORT/metrics (same token). Unset: not served. */
  @IsOptional() @IntBetween(1, 65535)
  METRICS_PORT?: number;

  /** json (one object a line) or pretty (for people). Unset: pretty when NODE_ENV=development, else json. */
  @IsOptional() @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: 'json' | 'pretty';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent' })
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';
}

/** Where the service and workers connect: DATABASE_APP_URL, or the owner's address as fieldwork_app. */
export function appDatabaseUrl(config: Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_APP_URL'>): string {
  if (config.DATABASE_APP_URL) return config.DATABASE_APP_URL;
  const url = new URL(config.DATABASE_URL);
  url.username = APP_DATABASE_ROLE;
  return url.toString();
}

export const APP_DATABASE_ROLE = 'fieldwork_app';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN_KEYS = Object.keys(new AppConfig()).concat([
  'DATABASE_APP_URL', 'STORAGE_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'SMTP_HOST', 'SMTP_USER', 'SMTP_PASSWORD', 'OPERATOR_TOKEN',
  'METRICS_TOKEN', 'METRICS_PORT', 'LOG_FORMAT',
  'BOUNCE_ADDRESS_DOMAIN', 'BOUNCE_SMTP_PORT',
  'NOTIFY_API_KEY', 'NOTIFY_SMS_TEMPLATE_ID', 'NOTIFY_CALLBACK_TOKEN',
]);

/** Texts go out only with both a Notify API key and an SMS template. */
export const smsEnabled = (c: Pick<AppConfig, 'NOTIFY_API_KEY' | 'NOTIFY_SMS_TEMPLATE_ID'>): boolean =>
  Boolean(c.NOTIFY_API_KEY && c.NOTIFY_SMS_TEMPLATE_ID);

/** Reads and validates the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of KNOWN_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, stopAtFirstError: true });
  if (errors.length) throw new ConfigError(errors.flatMap(describe));
  return config;
}

function describe(error: ValidationError): string[] {
  return Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(error.property) ? message : `${error.property}: ${message}`,
  );
}
