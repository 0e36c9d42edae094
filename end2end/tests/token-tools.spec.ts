import { test, expect } from '@playwright/test';
import { collectErrors, screenshot } from './helpers';

// The token inspector, found from the navigation and from a decoded token, by text and role.
test('the token inspector decodes a token, checks it with this server keys or a pasted key, and shares it in the fragment', async ({ page, request }) => {
  const errors = collectErrors(page);
  const reply = await request.post('/auth/token', {
    headers: { authorization: 'Basic ' + Buffer.from('service-client:service-secret').toString('base64') },
    form: { grant_type: 'client_credentials', scope: 'patient.read' },
  });
  const token = (await reply.json()).access_token as string;

  await page.goto('/');
  await page.getByRole('link', { name: 'Token tools' }).click();
  await expect(page.getByRole('heading', { name: 'Token inspector' })).toBeVisible();
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Decode and verify' }).click();
  await expect(page.getByText(/^Signature valid/)).toBeVisible();
  await expect(page.getByText(/^Valid now: it expires in \d+ s\./)).toBeVisible();
  await expect(page.getByRole('cell', { name: 'service-client' }).first()).toBeVisible();
  await screenshot(page, 'token-tools-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'token-tools-390');
  await page.setViewportSize({ width: 1280, height: 800 });

  // An HMAC secret is no key for an RS256 token: refused, with the reason.
  await page.getByLabel('Verify the signature with').selectOption({ label: 'a key I paste' });
  await page.getByLabel(/^Key: a JWK Set/).fill('a-shared-secret');
  await page.getByRole('button', { name: 'Decode and verify' }).click();
  await expect(page.getByText(/Signature NOT valid.*not a secret/)).toBeVisible();

  // The share link carries the token in the fragment only; opening it decodes it again.
  const share = await page.getByRole('link', { name: 'Share link' }).getAttribute('href');
  expect(share).toMatch(/^\/tools\/token#token=/);
  await page.goto('about:blank');
  await page.goto(share!);
  await expect(page.getByText(/^Signature valid/)).toBeVisible();
  expect(errors).toEqual([]);
});

test('every decoded token opens in the inspector', async ({ page }) => {
  await page.goto('/sandbox/client-credentials');
  await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
  await page.getByRole('link', { name: 'Open the access token in the token inspector' }).click();
  await expect(page.getByRole('heading', { name: 'Token inspector' })).toBeVisible();
  await expect(page.getByText(/^Signature valid/)).toBeVisible();
});
