import { test, expect, Page } from '@playwright/test';
import * as crypto from 'node:crypto';
import { bothWidths, collectErrors, signUpDeveloper } from './helpers';

// Two nodes of one issuer on one database (playwright.config.ts starts the second): what one
// node knows, the other knows, as a person sees it through either.
const second = process.env.E2E_SECOND_NODE!;

async function signIn(page: Page, node: string, username: string, password: string) {
  await page.goto(`${node}/developer/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('wrong passwords spread over two nodes count as one guesser', async ({ page, browser, baseURL }) => {
  const developer = await signUpDeveloper(page, 'nodes-');
  // A stranger's browser, guessing: three times on one node, twice on the other.
  const stranger = await (await browser.newContext()).newPage();
  const errors = collectErrors(stranger);
  for (const node of [baseURL!, baseURL!, baseURL!, second, second]) {
    await signIn(stranger, node, developer, 'not-the-password');
    await expect(stranger.getByRole('alert')).toHaveText('The username or password is wrong.');
  }
  // The node that counted the fifth refuses even the right password, before checking it...
  await signIn(stranger, second, developer, 'a-long-password');
  await expect(stranger.getByRole('alert')).toContainText(/Too many failed attempts. Try again in \d+ seconds./);
  await bothWidths(stranger, 'nodes-throttled-second');
  // ...and the first node within a second, though it counted only three.
  await stranger.waitForTimeout(1_500);
  await signIn(stranger, baseURL!, developer, 'a-long-password');
  await expect(stranger.getByRole('alert')).toContainText(/Too many failed attempts. Try again in \d+ seconds./);
  await bothWidths(stranger, 'nodes-throttled-first');
  // Pages that answer 429 are logged by Chromium; nothing else went wrong.
  expect(errors.filter((e) => !e.includes('status of 429'))).toEqual([]);
});

test('a code flow signed in on one node is consented on the other', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  const challenge = crypto.createHash('sha256').update(crypto.randomBytes(32).toString('base64url')).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code', client_id: 'web-client', redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid profile', state: 'across', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent',
  });
  await page.goto(`${second}/auth/authorize?${query}`);
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('bob-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
  // The consent page, as the first node serves it (the pending request is a database row).
  const consent = new URL(page.url());
  expect(consent.origin).toBe(second);
  await page.goto(`${baseURL}${consent.pathname}${consent.search}`);
  await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
  await bothWidths(page, 'nodes-consent-first');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?(.*&)?code=/);
  expect(new URL(page.url()).searchParams.get('state')).toBe('across');
  expect(errors).toEqual([]);
});
