import type { Trust } from './trust.entity';

/** The public shape of a trust, the same over HTTP and from `--json`. */
export function trustView(t: Trust) {
  return { code: t.code, name: t.name, icb: t.icbCode, ptc: t.ptc, createdAt: t.createdAt.toISOString() };
}
export type TrustView = ReturnType<typeof trustView>;
