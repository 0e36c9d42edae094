import { test, expect } from '@playwright/test';
import * as crypto from 'node:crypto';
import { collectErrors, screenshot, waitForHydration } from './helpers';

const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

function authorizeUrl(baseURL: string, state: string, extra = ''): string {
  const p = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-client',
    redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid profile email patient.read',
    state,
    nonce: 'n-0S6',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `/auth/authorize?${p}${extra}`;
}

test('log in, consent, land on the callback with a code, redeem it', async ({ page, baseURL, request }) => {
  const errors = collectErrors(page);
  const state = 'st@te with spaces & symbols';
  // prompt=consent: other specs may have left alice's consent remembered on the server.
  await page.goto(authorizeUrl(baseURL!, state, '&prompt=consent'));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Sign in to continue to Demo: web app');
  await screenshot(page, 'login');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('wants access to your account');
  await expect(page.getByText('see your email address')).toBeVisible();
  await screenshot(page, 'consent');
  await page.getByRole('button', { name: 'Allow' }).click();

  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);
  const url = new URL(page.url());
  expect(url.searchParams.get('state')).toBe(state);
  expect(url.searchParams.get('iss')).toBe(baseURL);
  await expect(page.locator('dd[data-param="code"]')).toContainText(url.searchParams.get('code')!);
  await waitForHydration(page);
  await screenshot(page, 'callback-code');

  // The code works once, with its verifier.
  const token = await request.post('/auth/token', {
    headers: { Authorization: 'Basic ' + Buffer.from('web-client:web-secret').toString('base64') },
    form: {
      grant_type: 'authorization_code',
      code: url.searchParams.get('code')!,
      redirect_uri: `${baseURL}/sandbox/callback`,
      code_verifier: verifier,
    },
  });
  expect(token.status()).toBe(200);
  const body = await token.json();
  expect(body.id_token).toBeTruthy();
  const api = await request.get('/fhir/Patient', { headers: { Authorization: `Bearer ${body.access_token}` } });
  expect(api.status()).toBe(200);

  // Signed in and consented: the next request comes straight back (single sign-on).
  await page.goto(authorizeUrl(baseURL!, 'again'));
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=.*state=again/);
  expect(errors).toEqual([]);
});

test('a wrong password shows an error and does not redirect', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 's'));
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('not-her-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is wrong.');
  expect(new URL(page.url()).pathname).toBe('/auth/login');
  await expect(page.getByLabel('Username')).toHaveValue('alice');
  await screenshot(page, 'login-wrong-password');
});

test('deny sends access_denied back with the state', async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!, 'deny-me', '&prompt=consent'));
  if (await page.getByLabel('Password').isVisible()) {
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill('bob-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page).toHaveURL(/error=access_denied/);
  expect(new URL(page.url()).searchParams.get('state')).toBe('deny-me');
  await expect(page.locator('dd[data-param="error"]')).toHaveText('access_denied');
});

test('an unregistered redirect_uri gets an explaining page, never a redirect', async ({ page }) => {
  const r = await page.goto('/auth/authorize?response_type=code&client_id=web-client&redirect_uri=https://evil.example/cb');
  expect(r?.status()).toBe(400);
  expect(new URL(page.url()).host).not.toBe('evil.example');
  await expect(page.getByRole('alert')).toContainText('not registered');
  await expect(page.getByText('https://evil.example/cb')).toBeVisible();
  await screenshot(page, 'authorize-bad-redirect');
});

test('the implicit token arrives in the fragment and only the hydrated page reads it', async ({ page, baseURL }) => {
  const p = new URLSearchParams({
    response_type: 'token', client_id: 'spa-client', redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'patient.read', state: 'imp', prompt: 'consent',
  });
  await page.goto(`/auth/authorize?${p}`);
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('bob-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback#access_token=/);
  await waitForHydration(page);
  const fragment = page.locator('dl[data-source="fragment"]');
  await expect(fragment.locator('dd[data-param="token_type"]')).toHaveText('Bearer');
  await expect(fragment.locator('dd[data-param="state"]')).toHaveText('imp');
  await expect(page.getByText('Nothing in the query.')).toBeVisible();
  await screenshot(page, 'callback-implicit');
});
