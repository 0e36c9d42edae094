import { test, expect } from '@playwright/test';
import { collectErrors, screenshot } from './helpers';

// A server started with --mock, driven by visible text: the banner on its pages, and the test
// sign-in that lets a person in as a seeded user, or as any subject with claims, without a
// password, then on through consent to the client's redirect URI with a code.
const mock = process.env.E2E_MOCK!;
const authorize = (state: string) =>
  `${mock}/auth/authorize?response_type=code&client_id=web-client&redirect_uri=${encodeURIComponent('http://127.0.0.1:8080/callback')}` +
  `&scope=openid%20profile&state=${state}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`;

test('mock mode: the banner, and the test sign-in as a seeded user and as any subject', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(`${mock}/`);
  await expect(page.getByRole('status').filter({ hasText: 'Mock mode.' })).toBeVisible();

  // One click signs alice in: no password asked.
  await page.goto(authorize('s1'));
  await expect(page.getByRole('heading', { name: 'Test sign-in (mock mode)' })).toBeVisible();
  await expect(page.locator('table.mock-params')).toContainText('web-client');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'mock-sign-in-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'mock-sign-in-390');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: /^Sign in as alice/ }).click();
  await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
  await expect(page.getByText('Mock mode.')).toBeVisible();

  // Any subject, with claims of its own, in a fresh browser session.
  await page.context().clearCookies();
  await page.goto(authorize('s2'));
  await page.getByLabel('Subject').fill('tester-42');
  await page.getByLabel('Claims (a JSON object)').fill('{"tenant": "acme"}');
  await page.getByRole('button', { name: 'Sign in as this subject' }).click();
  await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith('http://127.0.0.1:8080/callback')),
    page.getByRole('button', { name: 'Allow' }).click(),
  ]);
  const back = new URL(request.url());
  expect(back.searchParams.get('state')).toBe('s2');
  expect(back.searchParams.get('code')).toBeTruthy();
  expect(back.searchParams.get('iss')).toBe(mock);
  // The callback address has no server here; only that failed load may be reported.
  expect(errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
});
