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
  // The header taken apart: base64 of id:secret, no encryption.
  await expect(page.locator('[data-basic="decoded"]')).toHaveText('basic-client:basic-secret');
  // One timeline, oldest first, each card on the back channel and on the diagram.
  expect(await page.locator('.timeline > li .exchange-head h3').allInnerTexts()).toEqual([
    '1. Call the API with Basic credentials',
    '2. Lesson: a wrong secret',
  ]);
  await expect(page.locator('.timeline > li').first().locator('[data-channel="back"]')).toContainText('arrows 1 and 2');
  await screenshot(page, 'flow-basic-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-basic-390');
  expect(errors).toEqual([]);
});
