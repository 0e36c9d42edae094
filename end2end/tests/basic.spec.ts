import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot } from './helpers';

test('basic: the client id and secret straight to the API', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Basic');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  const ok = page.getByRole('region', { name: '1. Call the API with Basic credentials' });
  await expect(ok.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(ok.locator('pre[data-part="request"]')).toContainText('authorization: Basic ••••••••');
  await expect(ok.locator('pre[data-part="response"]')).toContainText('"resourceType": "Bundle"');

  await page.getByRole('button', { name: /^Lesson \d+: try a wrong secret$/ }).click();
  const wrong = page.getByRole('region', { name: 'Lesson: a wrong secret' });
  await expect(wrong.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(wrong.locator('pre[data-part="response"]')).toContainText('www-authenticate: Basic realm="oauth-sandbox"');
  await screenshot(page, 'flow-basic-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-basic-390');
  expect(errors).toEqual([]);
});
