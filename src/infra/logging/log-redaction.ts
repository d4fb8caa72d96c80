import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The patient's routes carry their access code as the segment after these prefixes.
const CODE_AFTER = /^\/(s|api\/online)\/[^/]+/;
// Anything else shaped like patient data: an access code, an NHS number, an e-mail address.
const LOOKS_PERSONAL = [/^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$/, /^\d{3}[ -]?\d{3}[ -]?\d{4}$/, /@/];

/** A URL as logs may show it: path only (no query string), access codes and anything like patient data masked. */
export function loggablePath(url: string | undefined): string {
  let path = (url ?? '/').split(/[?#]/)[0];
  path = path.replace(CODE_AFTER, (_, prefix: string) => `/${prefix}/[code]`);
  return path.split('/').map((segment) => {
    let decoded = segment;
    try { decoded = decodeURIComponent(segment); } catch { /* keep it as sent */ }
    return LOOKS_PERSONAL.some((p) => p.test(decoded)) ? '[masked]' : segment;
  }).join('/');
}

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's X-Request-Id when well formed (a proxy's, to follow a request across services), else a new one; echoed back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && WELL_FORMED_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
