import { Page, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Collects uncaught page errors and console errors; assert it is empty at the end. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Waits until the wasm bundle has hydrated the page (a marker only the browser sets). */
export async function waitForHydration(page: Page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible({ timeout: 20_000 });
}

/** Saves a full-page screenshot under end2end/screenshots/. */
export async function screenshot(page: Page, name: string) {
  const dir = path.resolve(__dirname, '../screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Opens a flow page the way a person does: from the landing page, through its card. */
export async function openFlow(page: Page, card: string) {
  await page.goto('/');
  await waitForHydration(page);
  await page.locator('a.flow-card').filter({ has: page.getByText(card, { exact: true }) }).click();
  await waitForHydration(page);
}

/** Signs in on the server's login page and allows the client, unless consent is remembered. */
export async function signInAndAllow(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await expect(allow.or(page.getByRole('heading', { name: 'Back at the client' }))).toBeVisible();
  if (await allow.isVisible()) await allow.click();
}
