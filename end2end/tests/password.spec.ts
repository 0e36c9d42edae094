import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot } from './helpers';

test('password: tokens, API, rotation, and reuse revoking the grant', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Password');
  await expect(page.getByText('Legacy: RFC 9700 §2.4 says it MUST NOT be used')).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: get tokens$/ }).click();
  const tokens = page.getByRole('region', { name: '1. Trade the password for tokens' });
  await expect(tokens.locator('pre[data-part="response"]')).toContainText('"refresh_token"');
  await expect(tokens.locator('pre[data-part="request"]')).toContainText('password=••••••••');
  await expect(page.locator('tr[data-claim="sub"]')).toContainText('alice');

  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '2. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: refresh$/ }).click();
  await expect(page.getByRole('region', { name: '3. Refresh' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Lesson \d+: reuse the old refresh token$/ }).click();
  const reuse = page.getByRole('region', { name: 'Lesson: reuse a rotated refresh token' });
  await expect(reuse.locator('pre[data-part="response"]')).toContainText('"error": "invalid_grant"');
  // The grant is gone: the newest access token fails too.
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '5. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  const titles = await page.locator('.timeline > li .exchange-head h3').allInnerTexts();
  expect(titles[0]).toBe('1. Trade the password for tokens');
  expect(titles.map((t) => Number(t.split('.')[0]))).toEqual(titles.map((_, i) => i + 1));
  await screenshot(page, 'flow-password-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-password-390');
  expect(errors).toEqual([]);
});
