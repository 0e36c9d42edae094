import { test, expect } from '@playwright/test';
import { screenshot } from './helpers';

// Before the bundle loads (or with scripts off), every back-channel step is a form post: the
// server runs the step and redirects back to the flow page, which shows the run.
test.use({ javaScriptEnabled: false });

test('client credentials runs without JavaScript, step by step', async ({ page }) => {
  await page.goto('/sandbox/client-credentials');
  await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
  await expect(page).toHaveURL(/\/sandbox\/client-credentials\?run=[\w-]+#results$/);
  const token = page.getByRole('region', { name: '1. Request a token' });
  await expect(token.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(token.locator('pre[data-part="request"]')).toContainText('POST /auth/token HTTP/1.1');
  await expect(page.locator('[data-signature="true"]')).toContainText('Signature valid');

  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '2. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: revoke$/ }).click();
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  const after = page.getByRole('region', { name: '4. Call the API after revoking' });
  await expect(after.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await screenshot(page, 'no-script-client-credentials');
});

test('password and basic run without JavaScript too', async ({ page }) => {
  await page.goto('/sandbox/password');
  await page.getByRole('button', { name: /^Run \d+: get tokens$/ }).click();
  await expect(page.getByRole('region', { name: '1. Trade the password for tokens' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: refresh$/ }).click();
  await expect(page.getByRole('region', { name: '2. Refresh' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');

  await page.goto('/sandbox/basic');
  await page.getByRole('button', { name: /^Lesson \d+: try a wrong secret$/ }).click();
  await expect(page.getByRole('region', { name: '1. Lesson: a wrong secret' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
});

test('Backend Services runs without JavaScript: assertion, token, API, replay', async ({ page }) => {
  await page.goto('/sandbox/backend-services');
  await page.getByRole('button', { name: /^Run \d+: sign a client assertion$/ }).click();
  await expect(page).toHaveURL(/\/sandbox\/backend-services\?run=[\w-]+#results$/);
  await page.getByRole('button', { name: /^Run \d+: get a token with it$/ }).click();
  await expect(page.getByRole('region', { name: '2. Get a token with the assertion' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: call the FHIR API$/ }).click();
  await expect(page.getByRole('region', { name: '3. Call the FHIR API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Lesson \d+: send the same assertion again$/ }).click();
  await expect(page.getByRole('region', { name: '4. Lesson: replay the client assertion' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
});
