import { test, expect, Page } from '@playwright/test';
import { collectErrors, openFlow, screenshot, signInAndAllow, waitForHydration } from './helpers';

// A second, independent oauth-sandbox (playwright.config.ts starts it): its own issuer, ES256
// keys, database and clients. Every flow page runs against it through the relay.
const partner = process.env.E2E_PARTNER!;

async function aim(page: Page, clientId: string, secret?: string) {
  await page.getByLabel('Issuer or discovery URL (empty: this server)').fill(partner);
  await page.getByLabel('Issuer or discovery URL (empty: this server)').blur();
  await expect(page.getByLabel('API to call there (on the issuer\'s origin)')).toHaveValue(`${partner}/fhir/Patient`);
  await page.getByLabel('Client id (registered at that server)').fill(clientId);
  if (secret !== undefined) await page.getByLabel('Client secret', { exact: true }).fill(secret);
}

test('client credentials against another server: discovery first, every step relayed and checked', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Client Credentials');
  await aim(page, 'service-client', 'service-secret');
  await expect(page.locator('code[data-callback]')).toHaveText(/\/sandbox\/callback$/);
  const started = Date.now();
  await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
  const discovery = page.getByRole('region', { name: '1. Read the discovery document' });
  await expect(discovery.locator('pre[data-part="request"]')).toContainText('GET /.well-known/oauth-authorization-server HTTP/1.1');
  const card = page.getByRole('region', { name: '2. Request a token' });
  await expect(card.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  console.log(`click on Run to card shown, against the second process: ${Date.now() - started} ms`);
  const offers = page.getByRole('table', { name: 'What the server offers' });
  await expect(offers.locator('tr[data-param="token_endpoint"]')).toContainText(`${partner}/auth/token`);
  await expect(offers.locator('tr[data-param="grant_types_supported"]')).toContainText('client_credentials');
  await expect(discovery.locator('li[data-check="true"]', { hasText: `issuer is ${partner}` })).toContainText('RFC 8414 §3.3');
  await expect(card.getByText('Checks the client ran on the answer')).toBeVisible();
  await expect(card.locator('li[data-check="true"]', { hasText: 'Cache-Control is no-store' })).toContainText('RFC 6749 §5.1');
  await expect(card.locator('pre[data-part="request"]')).toContainText(`host: ${partner.replace('http://', '')}`);
  // Its token, verified with its own keys.
  await expect(page.locator('[data-signature="true"]')).toContainText('Signature valid');
  await expect(page.locator('tr[data-claim="iss"]')).toContainText(partner);
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '3. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: introspect$/ }).click();
  await expect(page.getByRole('region', { name: '4. Introspect the token' }).locator('pre[data-part="response"]')).toContainText('"active": true');
  await page.getByRole('button', { name: /^Run \d+: revoke$/ }).click();
  await expect(page.getByRole('region', { name: '5. Revoke the token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'other-server-client-credentials-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'other-server-client-credentials-390');

  // Saved in this browser with its client id, the secret only when asked; picked again.
  await page.getByRole('button', { name: 'Save this server in this browser' }).click();
  const saved = await page.evaluate(() => localStorage.getItem('oauth-sandbox-targets'));
  expect(saved).toContain('service-client');
  expect(saved).not.toContain('service-secret');
  // A link to the set-up: server, client id and parameters in the fragment, no secret.
  await page.getByLabel('Scope').fill('patient.read openid');
  const link = (await page.getByRole('link', { name: 'Link to this set-up' }).getAttribute('href'))!;
  const fragment = new URL(link).hash;
  expect(fragment).toMatch(/^#setup=1&/);
  const setup = Object.fromEntries(new URLSearchParams(fragment.slice(1)));
  expect(setup).toEqual({ setup: '1', target: partner, api_url: `${partner}/fhir/Patient`, client_id: 'service-client', scope: 'patient.read openid' });
  expect(link).not.toContain('service-secret');
  await page.goto('about:blank');
  await page.goto(link);
  await expect(page.getByLabel('Issuer or discovery URL (empty: this server)')).toHaveValue(partner);
  await expect(page.getByLabel('Client id (registered at that server)')).toHaveValue('service-client');
  await expect(page.getByLabel('Scope')).toHaveValue('patient.read openid');
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');

  await page.goto('/sandbox/client-credentials');
  await page.getByLabel('Saved servers').selectOption({ label: `${partner} as service-client` });
  await expect(page.getByLabel('Client id (registered at that server)')).toHaveValue('service-client');
  expect(errors).toEqual([]);
});

test('the password and basic flows against another server', async ({ page }) => {
  await openFlow(page, 'Password');
  await aim(page, 'password-client', 'password-secret');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password', { exact: true }).fill('alice-password');
  await page.getByRole('button', { name: /^Run \d+: get tokens$/ }).click();
  await expect(page.getByRole('region', { name: /^2\. Trade the password/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: refresh$/ }).click();
  await expect(page.getByRole('region', { name: '3. Refresh' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');

  await openFlow(page, 'Basic');
  await aim(page, 'basic-client', 'basic-secret');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: /^2\. Call the API with Basic/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
});

test('the code flow against another server: out through its pages and back, iss and state checked', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Authorization Code + PKCE');
  await aim(page, 'partner-web', 'partner-web-secret');
  await page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click();
  await expect(page).toHaveURL(new RegExp(`^${partner}/auth/`));
  await signInAndAllow(page, 'alice', 'alice-password');
  await expect(page.getByRole('heading', { name: 'Back at the client' })).toBeVisible();
  const back = page.getByRole('region', { name: /The browser comes back to the client/ });
  await expect(back.locator('li[data-check="true"]', { hasText: `iss is ${partner}` })).toContainText('RFC 9207');
  await expect(back.locator('li[data-check="true"]', { hasText: 'state is the value this client sent' })).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: exchange the code$/ }).click();
  const exchange = page.getByRole('region', { name: /\. Exchange the code$/ });
  await expect(exchange.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(exchange.locator('pre[data-part="request"]')).toContainText('grant_type=authorization_code');
  // The ID token, verified against the other server's JWKS, with the client's checks.
  await expect(page.locator('[data-signature="true"]').first()).toContainText('Signature valid');
  await expect(page.getByText(`iss is ${partner}`).first()).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: ask userinfo who signed in$/ }).click();
  await expect(page.getByRole('region', { name: /Ask the userinfo endpoint/ }).locator('pre[data-part="response"]')).toContainText('"sub"');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'other-server-code-flow-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'other-server-code-flow-390');
  expect(errors).toEqual([]);
});

test('the implicit flow against another server', async ({ page }) => {
  await openFlow(page, 'Implicit');
  await page.getByLabel('Issuer or discovery URL (empty: this server)').fill(partner);
  await page.getByLabel('Issuer or discovery URL (empty: this server)').blur();
  await page.getByLabel('Client id (registered at that server)').fill('partner-spa');
  await page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click();
  await signInAndAllow(page, 'alice', 'alice-password');
  const back = page.getByRole('region', { name: /The browser comes back to the client/ });
  await expect(back.locator('li[data-check="true"]', { hasText: 'access_token is present' })).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: /\. Call the demo API$/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
});

test('the token inspector: keys found from iss, and introspection at another server', async ({ page, request }) => {
  const errors = collectErrors(page);
  const tokenAt = async (client: string) => {
    const r = await request.post(`${partner}/auth/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${client}:service-secret`).toString('base64')}` },
      form: { grant_type: 'client_credentials', scope: 'patient.read' },
    });
    return (await r.json()).access_token as string;
  };
  const jwt = await tokenAt('service-client');
  await page.goto('/');
  await page.getByRole('link', { name: 'Token tools' }).click();
  await page.getByLabel('Token', { exact: true }).fill(jwt);
  await page.getByLabel('Verify the signature with').selectOption({ label: 'the keys its iss publishes (discovery, then jwks_uri)' });
  await page.getByRole('button', { name: 'Decode and verify' }).click();
  await expect(page.locator('[data-signature="true"]')).toContainText('Signature valid');
  await expect(page.getByText(`Keys from ${partner}/.well-known/jwks.json`)).toBeVisible();

  const opaque = await tokenAt('service-client-opaque');
  await page.getByLabel('Token', { exact: true }).fill(opaque);
  await page.getByLabel('Server: issuer or discovery URL (empty: this server)').fill(partner);
  await page.getByLabel('Client id').fill('service-client-opaque');
  await page.getByLabel('Client secret').fill('service-secret');
  await page.getByRole('button', { name: 'Introspect' }).click();
  const card = page.getByRole('region', { name: 'Introspection' });
  await expect(card.locator('pre[data-part="response"]')).toContainText('"active": true');
  await expect(card.locator('li[data-check="true"]', { hasText: 'active is true or false' })).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'token-tools-introspect-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'token-tools-introspect-390');
  expect(errors).toEqual([]);
});

test('the device flow against another server that advertises it', async ({ page, browser }) => {
  await openFlow(page, 'Device Authorization');
  await aim(page, 'device-client');
  await page.getByRole('button', { name: /^Run \d+: ask for a device code$/ }).click();
  await expect(page.getByRole('region', { name: '2. Ask for a device code' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  const link = (await page.locator('a[data-verification-uri-complete]').getAttribute('href'))!;
  expect(link.startsWith(`${partner}/auth/device/verify?user_code=`)).toBe(true);
  const phone = await browser.newContext();
  const other = await phone.newPage();
  await other.goto(link);
  await other.getByRole('button', { name: 'Continue' }).click();
  await signInAndAllow(other, 'alice', 'alice-password');
  await expect(other.getByRole('heading', { name: 'Device connected' })).toBeVisible();
  await phone.close();
  await page.getByRole('button', { name: /^Run \d+: poll the token endpoint$/ }).click();
  const poll = page.getByRole('region', { name: '3. Poll the token endpoint' });
  await expect(poll.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(poll.locator('li[data-check="true"]', { hasText: 'Cache-Control is no-store' })).toBeVisible();
});

test('timings against the second process: discovery shown, and a token request, each the median of nine', async ({ page }) => {
  const discovery: number[] = [];
  const token: number[] = [];
  for (let i = 0; i < 9; i++) {
    await page.goto('/sandbox/client-credentials');
    await waitForHydration(page);
    await aim(page, 'service-client', 'service-secret');
    let started = Date.now();
    await page.getByRole('button', { name: 'Run 1: read its discovery document' }).click();
    await expect(page.getByRole('region', { name: '1. Read the discovery document' }).locator('.status')).toBeVisible();
    discovery.push(Date.now() - started);
    started = Date.now();
    await page.getByRole('button', { name: 'Run 2: request a token' }).click();
    await expect(page.getByRole('region', { name: '2. Request a token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
    token.push(Date.now() - started);
  }
  for (const t of [discovery, token]) t.sort((a, b) => a - b);
  console.log(`discovery document fetched and shown: median ${discovery[4]} ms, min ${discovery[0]} ms, max ${discovery[8]} ms`);
  console.log(`client credentials token against the second process, click on Run to card shown: median ${token[4]} ms, min ${token[0]} ms, max ${token[8]} ms`);
});
