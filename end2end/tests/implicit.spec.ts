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
  // The front channel, recorded by the server: the token came back in the fragment.
  const cards = page.locator('.timeline > li .exchange-head h3');
  await expect(cards).toHaveCount(4);
  expect(await cards.allInnerTexts()).toEqual([
    '1.1 The authorization request',
    '1.2 The sign-in post',
    '1.3 The consent page',
    '1.4 The consent post, and the redirect back',
  ]);
  await expect(page.locator('.timeline > li.front').nth(3).locator('pre[data-part="response"]')).toContainText(/location: .*\/sandbox\/callback#access_token=/);
  await expect(page.locator('.timeline > li.front').nth(3)).toContainText('only the page\'s script reads it');
  await page.getByRole('button', { name: 'Run 2: ask userinfo who signed in' }).click();
  await expect(page.getByRole('region', { name: '2. Ask the userinfo endpoint who signed in' }).locator('pre[data-part="response"]')).toContainText('"sub": "bob"');
  await page.getByRole('button', { name: 'Run 3: call the API' }).click();
  const api = page.getByRole('region', { name: '3. Call the demo API' });
  await expect(api.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(api.locator('pre[data-part="response"]')).toContainText('"resourceType": "Bundle"');
  // The lesson: a public client may not introspect, but it may revoke its own token.
  await page.getByRole('button', { name: /^Run \d+: introspect$/ }).click();
  const introspect = page.getByRole('region', { name: '4. Lesson: a public client cannot introspect' });
  await expect(introspect.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(introspect.locator('pre[data-part="response"]')).toContainText('"error": "invalid_client"');
  await page.getByRole('button', { name: /^Run \d+: revoke$/ }).click();
  await expect(page.getByRole('region', { name: '5. Revoke the token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '6. Call the API after revoking' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'flow-implicit-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-implicit-390');
  expect(errors).toEqual([]);
});
