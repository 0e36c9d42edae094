import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration } from './helpers';

test('sign up, register a client, use it in a flow, regenerate its secret', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = collectErrors(page);
  const developer = `dev${Date.now()}`;
  let clicks = 0;
  const click = async (locator: ReturnType<typeof page.locator>) => { clicks += 1; await locator.click(); };

  const started = Date.now();
  await page.goto('/developer/signup');
  await page.getByLabel('Username').fill(developer);
  await page.getByLabel('Password').fill('a-long-password');
  await click(page.getByRole('button', { name: 'Create account' }));
  await expect(page).toHaveURL(/\/developer$/);
  await waitForHydration(page);
  await expect(page.locator(`[data-me="${developer}"]`)).toBeVisible();

  await click(page.getByRole('link', { name: 'Register a client' }));
  await waitForHydration(page);
  await page.getByLabel('Client id').fill(`${developer}-service`);
  await page.getByLabel('Client name').fill('My service');
  await click(page.getByRole('button', { name: 'Register the client' }));
  const secretBox = page.locator('[data-secret]');
  await expect(secretBox).toBeVisible();
  await expect(page.getByText('shown only this once')).toBeVisible();
  await click(page.getByRole('button', { name: 'Copy the client secret' }));
  const secret = await page.evaluate(() => navigator.clipboard.readText());
  expect(secret).toBe((await secretBox.textContent())!.trim());
  expect(secret.length).toBeGreaterThanOrEqual(43);
  await screenshot(page, 'developer-client-created');

  // Use it in the Client Credentials flow: the page picks it, the secret is pasted.
  await click(page.getByRole('link', { name: 'Try it in the Client Credentials flow' }));
  await waitForHydration(page);
  await expect(page.locator('select[name="input[client_id]"]')).toHaveValue(`${developer}-service`);
  await page.getByLabel('Client secret').fill(secret);
  await click(page.getByRole('button', { name: 'Run 1: request a token' }));
  const token = page.getByRole('region', { name: '1. Request a token' });
  await expect(token.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  const elapsed = Date.now() - started;
  console.log(`sign-up to first token: ${elapsed} ms, ${clicks} clicks`);
  await expect(page.locator('tr[data-claim="client_id"]')).toContainText(`${developer}-service`);
  await click(page.getByRole('button', { name: 'Run: call the API' }));
  await expect(page.getByRole('region', { name: '2. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');

  // Regenerate the secret: the old one fails at once.
  await page.goto(`/developer/clients/${developer}-service`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Regenerate the secret' }).click();
  await expect(page.getByText('the old one no longer works')).toBeVisible();
  const fresh = (await page.locator('[data-secret]').textContent())!.trim();
  expect(fresh).not.toBe(secret);
  await screenshot(page, 'developer-secret-regenerated');

  await page.goto(`/sandbox/client-credentials?client=${developer}-service`);
  await waitForHydration(page);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByRole('button', { name: 'Run 1: request a token' }).click();
  const old = page.getByRole('region', { name: '1. Request a token' });
  await expect(old.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(old.locator('pre[data-part="response"]')).toContainText('"error": "invalid_client"');
  expect(errors).toEqual([]);
});
