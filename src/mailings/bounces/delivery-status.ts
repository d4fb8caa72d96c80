import { simpleParser } from 'mailparser';

export type BounceKind = 'permanent' | 'temporary';

/** What a delivery-status notification says about our message, without anything of the message itself. */
export interface DeliveryReport {
  kind: BounceKind;
  /** The enhanced status code, e.g. "5.1.1". */
  code: string;
  /** The remote server's words, without any address, at most DIAGNOSTIC_MAX characters. */
  diagnostic: string;
  /** The Message-ID of the message that failed, as the report quotes it (for a bounce whose return path lost its id). */
  originalMessageId: string | null;
}

export const DIAGNOSTIC_MAX = 200;

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_TYPES = new Set(['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers']);

/**
 * Reads a bounce (RFC 3464: multipart/report; report-type=delivery-status). Null when the mail
 * is something else (an auto-reply, a person writing back) or reports no failure (delayed only
 * counts as temporary; delivered or relayed are not failures). A report on several recipients
 * (we send to one) answers the worst of them.
 */
export async function readDeliveryReport(raw: Buffer): Promise<DeliveryReport | null> {
  const mail = await simpleParser(raw, {
    keepDeliveryStatus: true, ignoreEmbedded: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: false,
  });
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report' || type.params?.['report-type']?.toLowerCase() !== 'delivery-status') return null;
  const status = mail.attachments.find((a) => DSN_TYPES.has(a.contentType.toLowerCase()));
  if (!status) return null;
  const original = mail.attachments.find((a) => ORIGINAL_TYPES.has(a.contentType.toLowerCase()));
  const failure = worstFailure(fieldBlocks(status.content.toString('utf8')).slice(1));
  if (!failure) return null;
  return { ...failure, originalMessageId: original ? quotedMessageId(original.content.toString('utf8')) : null };
}

/** The report's field groups: the per-message one first, then one per recipient (RFC 3464 §2.1). */
export function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  let last: string | null = null;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (!line.trim()) { current = null; last = null; continue; }
    if (/^[ \t]/.test(line) && current && last) { current.set(last, `${current.get(last)} ${line.trim()}`); continue; }
    const field = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!field) continue;
    if (!current) blocks.push((current = new Map()));
    last = field[1].toLowerCase();
    current.set(last, field[2].trim());
  }
  return blocks;
}

function worstFailure(recipients: Map<string, string>[]): Omit<DeliveryReport, 'originalMessageId'> | null {
  let worst: Omit<DeliveryReport, 'originalMessageId'> | null = null;
  for (const r of recipients) {
    const action = (r.get('action') ?? '').toLowerCase();
    const code = /^([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(r.get('status') ?? '');
    // A success code on a failure line, or delivered / relayed / expanded: nothing to act on.
    if (!code || code[1] === '2' || (action !== 'failed' && action !== 'delayed')) continue;
    const kind: BounceKind = action === 'failed' && code[1] === '5' ? 'permanent' : 'temporary';
    const found = { kind, code: code[0], diagnostic: scrubDiagnostic(r.get('diagnostic-code') ?? '') };
    if (!worst || (worst.kind === 'temporary' && kind === 'permanent')) worst = found;
  }
  return worst;
}

/**
 * The remote server's words without anything that could identify the patient: addresses
 * (the recipient's, usually), long numbers, and the "smtp;" type prefix; shortened.
 */
export function scrubDiagnostic(code: string): string {
  const words = code.replace(/^\s*[A-Za-z-]+\s*;\s*/, '')
    .replace(/<?[^\s<>@;,"]+@[^\s<>;,"]+>?/g, '<address>')
    .replace(/\d{7,}/g, '…')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ').trim();
  return words.length > DIAGNOSTIC_MAX ? `${words.slice(0, DIAGNOSTIC_MAX - 1)}…` : words;
}

/** The Message-ID among the original message's headers, e.g. "<mailing-42@example.org>". */
export function quotedMessageId(headers: string): string | null {
  const match = /^Message-ID:\s*(<[^<>\s]+>)/im.exec(headers);
  return match ? match[1] : null;
}

const DESCRIPTIONS: [RegExp, string][] = [
  [/^\d\.1\.1$/, 'mailbox does not exist'],
  [/^\d\.1\.2$/, 'the domain does not exist or takes no mail'],
  [/^\d\.1\.10$/, 'the domain takes no mail'],
  [/^\d\.1\.6$/, 'the mailbox has moved'],
  [/^\d\.2\.1$/, 'mailbox disabled'],
  [/^\d\.2\.2$/, 'mailbox full'],
  [/^\d\.2\.3$/, 'message too large for the mailbox'],
  [/^\d\.4\.\d+$/, 'the receiving mail server could not be reached'],
  [/^\d\.7\.\d+$/, 'refused by the receiving mail server'],
];

/** In words, for the helpline: "mailbox does not exist". */
export function describeBounce(code: string | null, kind: BounceKind): string {
  const known = code ? DESCRIPTIONS.find(([pattern]) => pattern.test(code)) : undefined;
  if (known) return known[1];
  return kind === 'permanent' ? 'the address cannot take mail' : 'not delivered yet (a temporary problem)';
}
