import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot, signInAndAllow } from './helpers';

test('device flow: the code on the device, approved from a second browser, each poll on the timeline', async ({ page, browser }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Device Authorization');
  await page.getByRole('button', { name: /^Run \d+: ask for a device code$/ }).click();
  const asked = page.getByRole('region', { name: '1. Ask for a device code' });
  await expect(asked.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(asked.locator('pre[data-part="request"]')).toContainText('POST /auth/device HTTP/1.1');
  const code = (await page.locator('.user-code').textContent())!;
  expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

  // Before the person answers: authorization_pending.
  await page.getByRole('button', { name: /^Run \d+: poll the token endpoint$/ }).click();
  const pending = page.getByRole('region', { name: '2. Poll the token endpoint' });
  await expect(pending.locator('pre[data-part="response"]')).toContainText('"error": "authorization_pending"');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'device-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'device-390');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The person, on another device: the link with the code, confirm, sign in, allow.
  const link = (await page.locator('a[data-verification-uri-complete]').getAttribute('href'))!;
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const other = await phone.newPage();
  await other.goto(link);
  await expect(other.getByLabel('Code')).toHaveValue(code);
  await screenshot(other, 'device-verify-390');
  await other.getByRole('button', { name: 'Continue' }).click();
  await other.getByLabel('Username').fill('alice');
  await other.getByLabel('Password').fill('alice-password');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.locator(`[data-user-code="${code}"]`)).toBeVisible();
  await screenshot(other, 'device-consent-390');
  await other.getByRole('button', { name: 'Allow' }).click();
  await expect(other.getByRole('heading', { name: 'Device connected' })).toBeVisible();
  await phone.close();

  // The device polls by itself every interval and gets its tokens.
  await page.getByRole('button', { name: /^Poll every \d+ s until the person answers$/ }).click();
  const done = page.getByRole('region', { name: /^\d+\. Poll the token endpoint$/ }).last();
  await expect(done.locator('.status')).toHaveText('HTTP/1.1 200 OK', { timeout: 15_000 });
  await expect(page.locator('[data-signature="true"]').first()).toContainText('Signature valid');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: /\. Call the demo API$/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  expect(errors).toEqual([]);
});

test('device flow: a wrong code on the verification page is refused, and the page names the code on consent', async ({ page }) => {
  await page.goto('/auth/device/verify');
  await page.getByLabel('Code').fill('BCDF-GHJK');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('not one a device is waiting with');
});
