import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration, signUpDeveloper } from './helpers';

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
  // First party (no consent page) is an admin's decision, not a developer's.
  await expect(page.getByLabel(/First party: skip the consent page/)).toBeDisabled();
  await click(page.getByRole('button', { name: 'Register the client' }));
  const secretBox = page.locator('[data-secret]');
  await expect(secretBox).toBeVisible();
  await expect(page.getByText('shown only this once')).toBeVisible();
  // The page is the client's own now, and says so.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Client ${developer}-service`);
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
  await click(page.getByRole('button', { name: /^Run \d+: request a token$/ }));
  const token = page.getByRole('region', { name: '1. Request a token' });
  await expect(token.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  const elapsed = Date.now() - started;
  console.log(`sign-up to first token: ${elapsed} ms, ${clicks} clicks`);
  await expect(page.locator('tr[data-claim="client_id"]')).toContainText(`${developer}-service`);
  await click(page.getByRole('button', { name: /^Run \d+: call the API$/ }));
  await expect(page.getByRole('region', { name: '2. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');

  // Regenerate the secret: the old one fails at once.
  await page.goto(`/developer/clients/${developer}-service`);
  await waitForHydration(page);
  await expect(page.locator(`[data-owner="${developer}"]`)).toContainText('created');
  await page.getByRole('button', { name: 'Regenerate the secret' }).click();
  await expect(page.getByText('the old one no longer works')).toBeVisible();
  const fresh = (await page.locator('[data-secret]').textContent())!.trim();
  expect(fresh).not.toBe(secret);
  await screenshot(page, 'developer-secret-regenerated');

  await page.goto(`/sandbox/client-credentials?client=${developer}-service`);
  await waitForHydration(page);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
  const old = page.getByRole('region', { name: '1. Request a token' });
  await expect(old.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(old.locator('pre[data-part="response"]')).toContainText('"error": "invalid_client"');
  expect(errors).toEqual([]);
});

test('the console at 1280 and 390 px: clients, users, policies and the debugger', async ({ page }) => {
  const errors = collectErrors(page);
  const developer = `look${Date.now()}`;
  await page.goto('/');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Create a developer account' }).click();
  await page.getByLabel('Username').fill(developer);
  await page.getByLabel('Password').fill('a-long-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await waitForHydration(page);

  // Live checks while typing: a relative redirect URI, and a legacy grant.
  await page.goto('/developer/clients/new');
  await waitForHydration(page);
  await page.getByLabel('Client id').fill(`${developer}-web`);
  await page.getByLabel('Client name').fill('My web app');
  await page.getByLabel(/authorization_code/).check();
  await page.getByLabel(/^\s*implicit/).check();
  await page.getByLabel('One per line').fill('/callback');
  await expect(page.locator('.remarks').nth(1)).toContainText('is relative');
  await expect(page.locator('.remarks').nth(0)).toContainText('implicit is legacy');
  await page.getByRole('button', { name: 'Register the client' }).click();
  await expect(page.locator('[data-error]')).toContainText('redirect_uris[0]');
  await page.getByLabel('One per line').fill('http://127.0.0.1:8080/callback');
  await page.getByLabel(/^\s*implicit/).uncheck();
  await page.getByLabel(/Public: a browser/).check();
  await expect(page.getByLabel(/Require PKCE/)).toBeDisabled();
  await page.getByRole('button', { name: 'Register the client' }).click();
  await expect(page.getByText('Registered.')).toBeVisible();
  await expect(page.locator('[data-secret]')).toHaveCount(0);
  await expect(page.locator('[data-rest]')).toContainText(`PUT /Client/${developer}-web`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'console-client-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'console-client-390');

  // The new client is offered in the code flow's picker, to its owner.
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.locator(`optgroup[label="Your clients"] option[value="${developer}-web"]`)).toHaveCount(1);

  // A demo user, then a policy for a client of one's own, then the debugger.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/developer/users');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(`${developer}-user`);
  await page.getByLabel('Password').fill('user-password');
  await page.getByRole('button', { name: 'Create the user' }).click();
  await expect(page.locator(`tr[data-user="${developer}-user"]`)).toBeVisible();
  await screenshot(page, 'console-users-1280');

  await page.goto('/developer/policies');
  await waitForHydration(page);
  await page.getByLabel('Id', { exact: true }).fill(`${developer}-policy`);
  await page.getByLabel('Client ids').fill('service-client');
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await expect(page.getByRole('alert')).toContainText('client_ids: "service-client" is not one of your clients');
  await page.getByLabel('Client ids').fill(`${developer}-web`);
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await expect(page.locator(`tr[data-policy="${developer}-policy"]`)).toBeVisible();
  await page.getByLabel(/Authorization header/).fill('Bearer not-a-token');
  await page.getByRole('button', { name: 'Test' }).click();
  await expect(page.locator('.debug-result')).toContainText('refused before any policy');
  await screenshot(page, 'console-policies-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'console-policies-390');
  // The two refused saves above are 400s on purpose; nothing else may fail.
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

test('the console: trust an outside issuer, and a policy that admits its tokens', async ({ page }) => {
  const errors = collectErrors(page);
  const developer = await signUpDeveloper(page, 'trust');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Trusted issuers' }).click();
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Trusted issuers', level: 1 })).toBeVisible();
  await page.getByLabel('Id', { exact: true }).fill(`${developer}-idp`);
  await page.getByLabel('Issuer (the exact iss)').fill('https://login.example.com');
  await page.getByLabel(/^Audiences/).fill('https://api.example.com');
  // A trust without keys is refused, naming the field.
  await page.getByLabel(/^Algorithms/).fill('HS256');
  await page.getByRole('button', { name: 'Save the trusted issuer' }).click();
  await expect(page.getByRole('alert')).toContainText('jwks_uri: a trust needs keys');
  await page.getByLabel(/^HMAC secret/).fill('a-shared-secret-of-at-least-thirty-two-bytes');
  await page.getByRole('button', { name: 'Save the trusted issuer' }).click();
  await expect(page.getByRole('status')).toHaveText(`Saved ${developer}-idp.`);
  const row = page.locator(`tr[data-trust="${developer}-idp"]`);
  await expect(row).toContainText('HMAC secret');
  await expect(row).toContainText('https://login.example.com');
  // The secret is write-only: the form says one is set, and shows nothing of it.
  await expect(page.getByLabel('HMAC secret (one is set; empty keeps it)')).toHaveValue('');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'developer-trusted-issuers-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'developer-trusted-issuers-390');

  await page.getByRole('link', { name: 'Access policies' }).click();
  await waitForHydration(page);
  await page.getByLabel('Id', { exact: true }).fill(`${developer}-outside-reads`);
  await page.getByLabel(/^Issuers/).fill('https://login.example.com');
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await expect(page.locator(`tr[data-policy="${developer}-outside-reads"]`)).toBeVisible();
  // An issuer the developer does not trust is refused.
  await page.getByLabel('Id', { exact: true }).fill(`${developer}-stranger`);
  await page.getByLabel(/^Issuers/).fill('https://stranger.example');
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await expect(page.getByRole('alert')).toContainText('is not the issuer of one of your trusted issuers');
  // The two refusals are the only failed loads; nothing else went wrong.
  expect(errors).toEqual(Array(2).fill('console: Failed to load resource: the server responded with a status of 400 (Bad Request)'));
});
