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
