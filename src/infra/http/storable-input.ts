import { DomainError, ErrorDetail } from '../errors/domain-error';

/**
 * Keys Nest's ValidationPipe deletes from a body without a word (against prototype
 * pollution), so an answer or setting filed under them would vanish: refused instead.
 */
const REFUSED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A name the caller sent is itself submitted text: it appears in a message only when it looks
 * like a field name (or a list position), otherwise as "(unnamed field)".
 */
const PLAIN_NAME = /^([A-Za-z][A-Za-z0-9_-]{0,39}|\d+)$/;
export const fieldName = (key: string) => (PLAIN_NAME.test(key) ? key : '(unnamed field)');

/** Walks plain objects and arrays only: a Buffer or a stream is not input text. */
const isWalkable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null
  && (Array.isArray(value) || [Object.prototype, null].includes(Object.getPrototypeOf(value)));

/**
 * The first thing in a request value that PostgreSQL cannot store or that would be lost on the
 * way in: a NUL character (text and jsonb refuse \u0000) in any string or key, or a refused
 * key. Named by its path ("answers.anything_good"), never by what was sent.
 */
export function unstorableInput(value: unknown, root: string): ErrorDetail | undefined {
  const pending: [unknown, string][] = [[value, root]]; // a loop, not recursion: bodies may nest deeply
  while (pending.length) {
    const [current, path] = pending.pop()!;
    const where = path || 'body';
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return { where, message: `${where} contains a NUL character (\\u0000), which cannot be stored` };
    } else if (isWalkable(current)) {
      for (const key of Object.keys(current)) {
        if (key.includes('\u0000')) return { where, message: `a name in ${where} contains a NUL character (\\u0000), which cannot be stored` };
        if (REFUSED_KEYS.has(key)) return { where, message: `${where} holds a name that is not allowed (__proto__, constructor or prototype)` };
        pending.push([current[key], path ? `${path}.${fieldName(key)}` : fieldName(key)]);
      }
    }
  }
  return undefined;
}

export function assertStorableInput(value: unknown, root: string): void {
  const problem = unstorableInput(value, root);
  if (problem) throw new DomainError('validation_failed', `Invalid input: ${problem.message}`, [problem]);
}
