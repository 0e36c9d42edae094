import { test, expect } from '@playwright/test';
import * as crypto from 'node:crypto';
import { bothWidths, collectErrors } from './helpers';

const challenge = crypto.createHash('sha256').update(crypto.randomBytes(32).toString('base64url')).digest('base64url');

test('signing out asks first, and only its own form signs out', async ({ page, baseURL }) => {
  const errors = collectErrors(page);
  const authorize = `/auth/authorize?${new URLSearchParams({
    response_type: 'code', client_id: 'web-client', redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid', state: 's1', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'login',
  })}`;
  await page.goto(authorize);
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('bob-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  if (await allow.isVisible()) await allow.click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);

  // A link to the logout URL (from any page on the web) only asks.
  await page.goto('/auth/logout');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign out bob?');
  await bothWidths(page, 'logout');
  // Still signed in: prompt=none goes straight through without a sign-in page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/auth/logout');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are not signed in');
  expect(errors).toEqual([]);
});

test("a developer's client does not bounce a visitor to its redirect URI unseen", async ({ page, request }) => {
  const errors = collectErrors(page);
  const dev = 'dev-' + crypto.randomBytes(4).toString('hex');
  // Sign up in the browser, as a person does, then register a client over REST.
  await page.goto('/developer/signup');
  await page.getByLabel('Username').fill(dev);
  await page.getByLabel('Password').fill('developer-password-1');
  await page.getByRole('button', { name: /create account/i }).click();
  const auth = 'Basic ' + Buffer.from(`${dev}:developer-password-1`).toString('base64');
  const put = await request.put(`/Client/${dev}-app`, {
    headers: { Authorization: auth },
    data: { client_name: 'Someone else\u2019s app', token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'], redirect_uris: ['https://app.example/callback'] },
  });
  expect(put.status()).toBe(201);
  // first_party is the admin's to set.
  const fp = await request.put(`/Client/${dev}-app`, {
    headers: { Authorization: auth },
    data: { client_name: 'x', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example/callback'], first_party: true },
  });
  expect(fp.status()).toBe(400);
  expect((await fp.json()).field).toBe('first_party');

  await page.goto(`/auth/authorize?response_type=code&client_id=${dev}-app&redirect_uri=https://app.example/callback&scope=no-such-scope&state=s`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This request cannot go on');
  await expect(page.getByRole('link', { name: 'Continue to app.example' })).toHaveAttribute('href', /^https:\/\/app\.example\/callback\?error=invalid_scope/);
  await bothWidths(page, 'leaving');
  // The page itself answers 400 (the request failed), which Chromium logs; nothing else.
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

test('wrong passwords on the sign-in page are throttled with a clear answer', async ({ page, baseURL }) => {
  const authorize = `/auth/authorize?${new URLSearchParams({
    response_type: 'code', client_id: 'web-client', redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid', state: 's2', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'login',
  })}`;
  const user = 'throttled-' + crypto.randomBytes(3).toString('hex');
  await page.goto(authorize);
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The username or password is wrong.');
  }
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/Too many failed sign-ins. Try again in \d+ seconds./);
  await bothWidths(page, 'throttled');
});
