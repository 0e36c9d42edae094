import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot, waitForHydration } from './helpers';

test('authorization code + PKCE from the sandbox: lessons, exchange, API, replay', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Authorization Code + PKCE');
  // Fresh state, nonce and verifier arrive; the challenge is the verifier's S256.
  await expect(page.locator('[data-challenge]')).not.toHaveText('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await screenshot(page, 'flow-authorization-code-start-1280');

  const started = Date.now();
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);
  await waitForHydration(page);
  await expect(page.locator('[data-state-check="true"]')).toContainText('state matches');

  // A wrong verifier first: it fails and leaves the code unused.
  await page.getByRole('button', { name: 'Lesson: a wrong code_verifier' }).click();
  const wrong = page.getByRole('region', { name: 'Lesson: a wrong code_verifier' });
  await expect(wrong.locator('pre[data-part="response"]')).toContainText('"error": "invalid_grant"');

  await page.getByRole('button', { name: 'Run 2: exchange the code' }).click();
  const exchange = page.getByRole('region', { name: '2. Exchange the code' });
  await expect(exchange.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  console.log(`authorization code flow, click on Run 1 to token shown: ${Date.now() - started} ms (includes typing)`);
  await expect(exchange.locator('pre[data-part="response"]')).toContainText('"id_token"');
  await expect(exchange.locator('pre[data-part="request"]')).toContainText('code_verifier=••••••••');
  await expect(page.locator('tr[data-claim="sub"]')).toContainText('alice');
  await expect(page.locator('[data-signature="true"]')).toBeVisible();

  await page.getByRole('button', { name: 'Run: call the API' }).click();
  await expect(page.getByRole('region', { name: '3. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: 'Run: refresh' }).click();
  await expect(page.getByRole('region', { name: '4. Refresh' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: 'Run: introspect' }).click();
  await expect(page.getByRole('region', { name: '5. Introspect the token' }).locator('pre[data-part="response"]')).toContainText('"active": true');
  await page.getByRole('button', { name: 'Lesson: replay the code' }).click();
  await expect(page.getByRole('region', { name: 'Lesson: replay the code' }).locator('pre[data-part="response"]')).toContainText('every token issued from it has been revoked');
  // The tokens from the first exchange are dead now.
  await page.getByRole('button', { name: 'Run: call the API' }).click();
  await expect(page.getByRole('region', { name: '7. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'flow-authorization-code-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-authorization-code-390');
  expect(errors).toEqual([]);
});

test('the unregistered redirect_uri lesson lands on the explaining page', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await page.getByRole('button', { name: 'Lesson: an unregistered redirect_uri' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered');
  await expect(page.getByText('https://attacker.example/steal')).toBeVisible();
});

test('PKCE plain is refused for a client that does not allow it', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await page.getByLabel('PKCE method').selectOption('plain');
  await expect(page.locator('[data-challenge]')).toHaveText(await page.getByLabel(/code_verifier/).inputValue());
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?error=invalid_request/);
  await expect(page.locator('[data-param="error_description"]')).toContainText('plain');
});
