import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedText {
  id: string;
  phone_number: string;
  template_id: string;
  personalisation: Record<string, string>;
  reference: string | null;
}

/** A key in Notify's format: `<key name>-<service id>-<secret>`. */
export const SERVICE_ID = '2b1a7c5e-0f3d-4e8a-9b6c-1d2e3f4a5b6c';
export const API_SECRET = '7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9';
export const NOTIFY_API_KEY = `fieldwork_test-${SERVICE_ID}-${API_SECRET}`;
export const SMS_TEMPLATE_ID = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * A local stand-in for GOV.UK Notify's HTTP API, as much of it as texts use: POST
 * /v2/notifications/sms, with the request's JWT checked the way Notify checks it (HS256 signed
 * with the key's secret, `iss` the service id, `iat` within 30 seconds). Tests can make the
 * next requests fail with a status, or hang (no answer, as a lost connection).
 */
export class NotifyStandIn {
  readonly texts: ReceivedText[] = [];
  /** Requests refused for a bad token, counted to prove the real client signs correctly. */
  rejected = 0;
  private failures: number[] = [];
  private hangs = 0;
  private drops = 0;
  private server?: Server;

  constructor(private readonly serviceId = SERVICE_ID, private readonly secret = API_SECRET) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { NOTIFY_API_KEY, NOTIFY_BASE_URL: this.url, NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE_ID, ...extra };
  }

  /** The next requests answer these statuses (e.g. 500, 400), in order. */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** The next n requests are read in full, recorded as accepted, and their connection cut before any answer. */
  dropNext(n = 1): void {
    this.drops += n;
  }

  /** The next n requests get no answer at all. */
  hangNext(n = 1): void {
    this.hangs += n;
  }

  textsTo(phone: string): ReceivedText[] {
    return this.texts.filter((t) => t.phone_number === phone);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v2/notifications/sms') return answer(404, { status_code: 404, errors: [{ error: 'NotFound', message: 'Not found' }] });
    const problem = this.tokenProblem(req.headers.authorization);
    if (problem) {
      this.rejected++;
      return answer(403, { status_code: 403, errors: [{ error: 'AuthError', message: problem }] });
    }
    if (this.hangs > 0) { this.hangs--; return; } // never answered
    const failure = this.failures.shift();
    if (failure) return answer(failure, { status_code: failure, errors: [{ error: failure === 400 ? 'BadRequestError' : 'Exception', message: `stand-in failure ${failure}` }] });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!body.phone_number || !body.template_id) return answer(400, { status_code: 400, errors: [{ error: 'ValidationError', message: 'phone_number and template_id are required' }] });
    const text: ReceivedText = {
      id: randomUUID(), phone_number: body.phone_number, template_id: body.template_id,
      personalisation: body.personalisation ?? {}, reference: body.reference ?? null,
    };
    this.texts.push(text);
    if (this.drops > 0) { this.drops--; req.socket.destroy(); return; }
    answer(201, {
      id: text.id, reference: text.reference, uri: `${this.url}/v2/notifications/${text.id}`,
      content: { body: `Your survey link: ${text.personalisation.link}`, from_number: 'NHSSURVEY' },
      template: { id: text.template_id, version: 1, uri: `${this.url}/services/${this.serviceId}/templates/${text.template_id}` },
    });
  }

  private tokenProblem(header: string | undefined): string | null {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) return 'Unauthorized: authentication token must be provided';
    const [head, payload, signature] = token.split('.');
    if (!head || !payload || !signature) return 'Invalid token: not a JWT';
    const expected = createHmac('sha256', this.secret).update(`${head}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Invalid token: signature, api token not found';
    const header_ = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (header_.alg !== 'HS256') return 'Invalid token: algorithm must be HS256';
    if (claims.iss !== this.serviceId) return 'Invalid token: service not found';
    if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > 30) return 'Error: Your system clock must be accurate to within 30 seconds';
    return null;
  }
}

/** A JWT signed as Notify's clients sign (for a test proving a wrong secret is refused). */
export function notifyToken(serviceId: string, secret: string): string {
  const head = b64url(Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })));
  const payload = b64url(Buffer.from(JSON.stringify({ iss: serviceId, iat: Math.round(Date.now() / 1000) })));
  return `${head}.${payload}.${b64url(createHmac('sha256', secret).update(`${head}.${payload}`).digest())}`;
}
