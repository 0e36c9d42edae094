import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration } from './helpers';

test('the landing page leads with the flows; the endpoint reference has its own page', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('oauth-sandbox');
  await expect(page.getByRole('link', { name: 'Pick a flow' })).toBeVisible();
  await expect(page.locator('a.flow-card')).toHaveCount(10);
  await waitForHydration(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'landing-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'landing-390');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The same navigation on every page leads to the endpoint reference.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints' }).click();
  await expect(page).toHaveURL(/\/endpoints$/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints' })).toHaveAttribute('aria-current', 'page');
  await page.reload();
  // Server-rendered: the endpoints are in the HTML before any script runs.
  await expect(page.locator('code.path', { hasText: '/auth/token' })).toBeVisible();
  await expect(page.locator('code.path', { hasText: '/.well-known/jwks.json' })).toBeVisible();

  await waitForHydration(page);

  // A click only hydrated code can answer: reveal the curl line for the token endpoint.
  const tokenRow = page.locator('li.endpoint', { has: page.locator('code.path', { hasText: /^\/auth\/token$/ }) });
  await tokenRow.getByRole('button', { name: 'Show curl' }).click();
  await expect(tokenRow.locator('pre.curl')).toContainText('grant_type=client_credentials');
  await expect(tokenRow.getByRole('button', { name: 'Hide curl' })).toHaveAttribute('aria-expanded', 'true');

  // Typing filters the list reactively.
  await page.getByLabel('Filter endpoints').fill('well-known/jwks');
  await expect(page.locator('li.endpoint')).toHaveCount(1);
  // Both key sets: the server's and the sandbox's test issuer's.
  await page.getByLabel('Filter endpoints').fill('jwks');
  await expect(page.locator('li.endpoint')).toHaveCount(2);
  await page.getByLabel('Filter endpoints').fill('');
  await expect(page.locator('li.endpoint')).toHaveCount(43);

  await screenshot(page, 'endpoints-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'endpoints-390');
  expect(errors).toEqual([]);
});

test('the curl line it shows really gets a token', async ({ request }) => {
  const r = await request.post('/auth/token', {
    headers: { Authorization: 'Basic ' + Buffer.from('service-client:service-secret').toString('base64') },
    form: { grant_type: 'client_credentials', scope: 'patient.read' },
  });
  expect(r.status()).toBe(200);
  expect(r.headers()['cache-control']).toBe('no-store');
  const body = await r.json();
  const api = await request.get('/fhir/Patient', { headers: { Authorization: `Bearer ${body.access_token}` } });
  expect(api.status()).toBe(200);
});

test('an unknown page is a 404 with a way back', async ({ page }) => {
  const r = await page.goto('/no-such-page');
  expect(r?.status()).toBe(404);
  await expect(page.getByRole('link', { name: 'Back to the start' })).toBeVisible();
});
