import { test, expect } from '@playwright/test';
import * as crypto from 'node:crypto';
import { screenshot } from './helpers';

const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

// A standalone SMART launch as a person sees it: sign in, pick the patient, read the SMART
// scopes in words, approve; the token response carries the patient, and the token reads that
// patient only.
test('standalone SMART launch: the patient picker, consent in words, a token for that patient', async ({ page, baseURL, request }) => {
  const p = new URLSearchParams({
    response_type: 'code',
    client_id: 'smart-app',
    redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid fhirUser launch/patient patient/*.rs',
    state: 'smart-1',
    aud: `${baseURL}/fhir`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  await page.goto(`/auth/authorize?${p}`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /Choose the patient for/ })).toBeVisible();
  // alice is a practitioner: every demo patient is offered.
  await expect(page.getByRole('radio')).toHaveCount(3);
  await screenshot(page, 'smart-patient-picker');
  await page.getByLabel(/Ada Okafor/).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('know the patient in context: Patient/pat-3')).toBeVisible();
  await expect(page.getByText(/read, search all kinds of records of the patient chosen for this app only/)).toBeVisible();
  await screenshot(page, 'smart-consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/sandbox\/callback\?/);
  const code = new URL(page.url()).searchParams.get('code')!;
  const token = await request.post('/auth/token', {
    form: {
      grant_type: 'authorization_code', client_id: 'smart-app', code,
      redirect_uri: `${baseURL}/sandbox/callback`, code_verifier: verifier,
    },
  });
  expect(token.status()).toBe(200);
  const body = await token.json();
  expect(body.patient).toBe('pat-3');
  expect(body.need_patient_banner).toBe(true);
  const own = await request.get('/fhir/Patient/pat-3', { headers: { authorization: `Bearer ${body.access_token}` } });
  expect(own.status()).toBe(200);
  const other = await request.get('/fhir/Patient/pat-1', { headers: { authorization: `Bearer ${body.access_token}` } });
  expect(other.status()).toBe(403);
});

test('a person who is a patient may choose only their own record', async ({ page, baseURL }) => {
  const p = new URLSearchParams({
    response_type: 'code', client_id: 'smart-app', redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'openid fhirUser launch/patient patient/*.rs', state: 'smart-3', aud: `${baseURL}/fhir`,
    code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent',
  });
  await page.goto(`/auth/authorize?${p}`);
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('bob-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /Choose the patient for/ })).toBeVisible();
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio')).toHaveValue('pat-2');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('know the patient in context: Patient/pat-2')).toBeVisible();
});

test('a SMART request with the wrong aud comes back with invalid_request and no code', async ({ page, baseURL }) => {
  const p = new URLSearchParams({
    response_type: 'code',
    client_id: 'smart-app',
    redirect_uri: `${baseURL}/sandbox/callback`,
    scope: 'launch/patient patient/*.rs',
    state: 'smart-2',
    aud: 'https://counterfeit.example/fhir',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  await page.goto(`/auth/authorize?${p}`);
  await page.waitForURL(/\/sandbox\/callback\?/);
  const back = new URL(page.url()).searchParams;
  expect(back.get('error')).toBe('invalid_request');
  expect(back.get('error_description')).toContain("is not this server's FHIR base URL");
  expect(back.get('code')).toBeNull();
});
