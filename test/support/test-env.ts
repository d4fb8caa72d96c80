/** Names shared by the global set-up, each test worker and the teardown. */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export const workerDatabase = (base: string, worker: string | number) => `${base}_w${worker}`;
