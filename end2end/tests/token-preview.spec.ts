import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration, signUpDeveloper } from './helpers';

// The console's token preview, driven by visible text: a developer registers a client and a
// user, opens "Preview its tokens" and sees the tokens decoded, then a refused scope.
test('token preview: the tokens a client would get, decoded, and a refusal', async ({ page }) => {
  const errors = collectErrors(page);
  const developer = await signUpDeveloper(page, 'prev');
  await waitForHydration(page);

  await page.getByRole('link', { name: 'Users' }).click();
  await waitForHydration(page);
  await page.getByLabel('Username').fill(`${developer}-user`);
  await page.getByLabel('Password').fill('user-password');
  await page.getByLabel('Name', { exact: true }).fill('Pat Preview');
  await page.getByLabel('Email').fill('pat@example.test');
  await page.getByRole('button', { name: 'Create the user' }).click();
  await expect(page.locator(`tr[data-user="${developer}-user"]`)).toBeVisible();

  await page.goto('/developer/clients/new');
  await waitForHydration(page);
  await page.getByLabel('Client id').fill(`${developer}-web`);
  await page.getByLabel('Client name').fill('Preview app');
  await page.getByLabel(/authorization_code/).check();
  await page.getByLabel(/refresh_token/).check();
  await page.getByLabel('One per line').fill('http://127.0.0.1:8080/callback');
  await page.getByLabel(/^Scope/).fill('openid profile email patient.read');
  await page.getByRole('button', { name: 'Register the client' }).click();
  await expect(page.locator('[data-secret]')).toBeVisible();

  await page.getByRole('link', { name: 'Preview its tokens' }).click();
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Token preview', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Client', { exact: true })).toHaveValue(`${developer}-web`);
  await expect(page.getByLabel('Grant', { exact: true })).toHaveValue('authorization_code');
  await page.getByLabel('User', { exact: true }).selectOption(`${developer}-user`);
  await page.getByLabel('Scope').fill('openid profile email');
  await page.getByRole('button', { name: 'Preview the tokens' }).click();

  const access = page.getByRole('region', { name: 'The access token' });
  await expect(access.locator('tr[data-claim="sub"]').first()).toContainText(`${developer}-user`);
  await expect(access.locator('tr[data-claim="client_id"]').first()).toContainText(`${developer}-web`);
  await expect(access.locator('tr[data-claim="typ"]')).toContainText('at+jwt');
  await expect(access.locator('pre[data-part="introspection"]')).toContainText('"active": true');
  const idToken = page.getByRole('region', { name: 'The ID token' });
  await expect(idToken.locator('tr[data-claim="aud"]').first()).toContainText(`${developer}-web`);
  await expect(idToken.locator('tr[data-claim="at_hash"]')).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'The refresh token' })).toContainText('Opaque');
  await expect(page.locator('pre[data-part="userinfo"]')).toContainText('"name": "Pat Preview"');
  await expect(page.locator('pre[data-part="userinfo"]')).toContainText('"email": "pat@example.test"');
  await expect(page.locator('pre[data-part="response"]')).toContainText('(the ID token below)');
  await expect(page.getByText('Nothing was issued or stored')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'token-preview-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'token-preview-390');

  // A scope the client may not ask for: the token endpoint's own refusal, and the failed check.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByLabel('Scope').fill('openid admin');
  await page.getByRole('button', { name: 'Preview the tokens' }).click();
  await expect(page.locator('pre[data-part="refusal"]')).toContainText('HTTP/1.1 400 Bad Request');
  await expect(page.locator('pre[data-part="refusal"]')).toContainText('"error": "invalid_scope"');
  await expect(page.locator('li[data-check="false"]')).toContainText('the scope lies within what the client may ask for');
  await expect(page.getByRole('region', { name: 'The access token' })).toHaveCount(0);
  await screenshot(page, 'token-preview-refused-1280');
  expect(errors).toEqual([]);
});
