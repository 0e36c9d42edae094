import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot, signInAndAllow, waitForHydration } from './helpers';

test('implicit from the sandbox: the token in the fragment, read by the page, used at the API', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Implicit');
  await expect(page.getByText('Legacy: RFC 9700 §2.1.2')).toBeVisible();
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await signInAndAllow(page, 'bob', 'bob-password');
  await expect(page).toHaveURL(/\/sandbox\/callback#access_token=/);
  await waitForHydration(page);
  await expect(page.locator('[data-signature="true"]')).toBeVisible();
  await expect(page.locator('tr[data-claim="sub"]')).toContainText('bob');
  await page.getByRole('button', { name: 'Run: call the API' }).click();
  const api = page.getByRole('region', { name: '1. Call the demo API' });
  await expect(api.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(api.locator('pre[data-part="response"]')).toContainText('"resourceType": "Bundle"');
  // The lesson: a public client may not introspect, but it may revoke its own token.
  await page.getByRole('button', { name: 'Run: introspect' }).click();
  const introspect = page.getByRole('region', { name: '2. Lesson: a public client cannot introspect' });
  await expect(introspect.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(introspect.locator('pre[data-part="response"]')).toContainText('"error": "invalid_client"');
  await page.getByRole('button', { name: 'Run: revoke' }).click();
  await expect(page.getByRole('region', { name: '3. Revoke the token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: 'Run: call the API' }).click();
  await expect(page.getByRole('region', { name: '4. Call the API after revoking' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'flow-implicit-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-implicit-390');
  expect(errors).toEqual([]);
});
