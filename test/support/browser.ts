import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { UsersService } from '../../src/users/users.service';
import type { TestApp } from './app';

/** Debian's Chromium, headless (installed by `scripts/setup.mjs test` when missing). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** The tests' output folder (kept after the run, ignored by git): screenshots of the pages they went through. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

/**
 * Screenshots the page into the tests' output folder, after checking it with axe-core (the
 * accessibility rules engine): a page with a serious or critical violation fails the test.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations: { id: string; impact: string; nodes: { target: string[] }[] }[] = await page.evaluate(
    async () => (await (globalThis as unknown as { axe: { run: (o: object) => Promise<{ violations: never[] }> } }).axe.run({ resultTypes: ['violations'] })).violations);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  if (serious.length) throw new Error(`Accessibility problems:\n${serious.join('\n')}`);
}

/** Serves the test app on a free local port and returns its base URL. */
export async function serve(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** A user with a password of their own (the one-time password already changed). */
export async function userWithPassword(t: TestApp, email: string, role: 'coordinator' | 'trust' | 'helpline', trustCode?: string): Promise<string> {
  const users = t.app.get(UsersService);
  const { user, oneTimePassword } = await users.add({ email, role, trustCode }, 'test');
  const password = `a synthetic passphrase for ${role}`;
  await users.changePassword(user.id, oneTimePassword, password);
  return password;
}

export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
