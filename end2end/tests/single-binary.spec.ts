import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration } from './helpers';

// Run by scripts/test against the release binary copied alone into an empty directory and
// started there with no site root (E2E_EMBEDDED=1): every asset comes from inside the binary.
test('a copied release binary serves pages that hydrate, from its embedded assets', async ({ page, request }) => {
  const errors = collectErrors(page);
  await page.goto('/endpoints');
  await waitForHydration(page);
  // A click only hydrated code answers.
  const tokenRow = page.locator('li.endpoint', { has: page.locator('code.path', { hasText: /^\/auth\/token$/ }) });
  await tokenRow.getByRole('button', { name: 'Show curl' }).click();
  await expect(tokenRow.locator('pre.curl')).toContainText('grant_type=client_credentials');

  // The bundle is served with its content type, compression, a validator and revalidation.
  const wasm = await request.get('/pkg/oauth_sandbox_bg.wasm', { headers: { 'Accept-Encoding': 'br' } });
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
  expect(wasm.headers()['content-encoding']).toBe('br');
  expect(wasm.headers()['cache-control']).toBe('no-cache');
  const etag = wasm.headers()['etag'];
  expect(etag).toBeTruthy();
  const again = await request.get('/pkg/oauth_sandbox_bg.wasm', { headers: { 'If-None-Match': etag } });
  expect(again.status()).toBe(304);
  const css = await request.get('/pkg/oauth_sandbox.css');
  expect(css.headers()['content-type']).toContain('text/css');
  const icon = await request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
  expect((await request.get('/healthz')).status()).toBe(200);
  expect((await request.get('/readyz')).status()).toBe(200);

  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'single-binary-1280');
  expect(errors).toEqual([]);
});
