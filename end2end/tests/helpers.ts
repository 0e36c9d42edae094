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

/** Clicks a step button by the words after its number ("Run 3: get a token") and waits for the
 * timeline to announce the step by its number. */
export async function runStep(page: Page, words: string) {
  const button = page.getByRole('button', { name: new RegExp(`^(Run|Lesson) \\d+: ${words}$`) });
  await expect(button).toBeEnabled();
  const number = ((await button.textContent()) ?? '').match(/\d+/)![0];
  await button.click();
  await expect(page.getByRole('status').filter({ hasText: new RegExp(`^${number}\\. .*HTTP/1\\.1`) })).toBeAttached();
}

/** The chapter's checklist says every milestone is done and the chapter says so. */
export async function expectChapterDone(page: Page) {
  await expect(page.getByText('Chapter done.')).toBeVisible();
  const checklist = page.getByRole('list', { name: 'What this run has done' });
  await expect(checklist.getByText('Not yet:')).toHaveCount(0);
}

/** The person's name and password a chapter shows, from its "Sign in as … with the password …" line. */
export async function chapterPerson(page: Page): Promise<[string, string]> {
  const line = page.getByText(/^Sign in as /);
  await expect(line).toContainText(/password pw-/);
  const text = (await line.textContent()) ?? '';
  const m = text.match(/Sign in as (\S+) with the password (\S+?)\./);
  expect(m, text).not.toBeNull();
  return [m![1], m![2]];
}

/** Screenshots of a page at 1280 and 390 px wide, named `<name>-1280` and `<name>-390`. */
export async function bothWidths(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Screenshots of a tutorial page at 1280 and 390 px. */
export async function tutorialShots(page: Page, name: string) {
  await screenshot(page, `tutorial-${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `tutorial-${name}-390`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Signs a new developer up through the console's sign-up page; returns the username. */
export async function signUpDeveloper(page: Page, prefix: string): Promise<string> {
  const developer = `${prefix}${Date.now()}`;
  await page.goto('/developer/signup');
  await page.getByLabel('Username').fill(developer);
  await page.getByLabel('Password').fill('a-long-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/developer$/);
  return developer;
}
