import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot, waitForHydration } from './helpers';

test('client credentials, step by step, every step for real', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = collectErrors(page);
  await openFlow(page, 'Client Credentials');

  const started = Date.now();
  await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
  const card = page.getByRole('region', { name: '1. Request a token' });
  await expect(card.locator('pre[data-part="response"]')).toContainText('"token_type": "Bearer"');
  console.log(`click on Run to exchange shown: ${Date.now() - started} ms`);
  await expect(card.locator('pre[data-part="request"]')).toContainText('POST /auth/token HTTP/1.1');
  await expect(card.locator('pre[data-part="request"]')).toContainText('authorization: Basic ••••••••');
  await expect(card.locator('pre[data-part="response"]')).toContainText('cache-control: no-store');
  await expect(card.locator('li[data-check="true"]', { hasText: 'the client secret matches its argon2 hash' })).toContainText('RFC 6749 §2.3.1');
  await card.getByRole('button', { name: 'Reveal secrets' }).click();
  // A typed secret never reaches the page: revealed, the Basic credentials stay masked (the
  // export with secrets, for the run's owner, has them).
  await expect(card.locator('pre[data-part="request"]')).toContainText('authorization: Basic ••••••••');
  await expect(card.getByText('typed secrets stay masked')).toBeVisible();
  // Copy puts exactly what the card shows on the clipboard.
  await card.getByRole('button', { name: 'Copy the request' }).click();
  await expect(card.getByText('Copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('POST /auth/token HTTP/1.1');

  // The decoded token, with its signature checked against the JWKS.
  await expect(page.locator('[data-signature="true"]')).toContainText('Signature valid');
  await expect(page.locator('tr[data-claim="client_id"]')).toContainText('service-client');
  await expect(page.locator('tr[data-claim="typ"]')).toContainText('at+jwt');
  // The countdown ticks in the browser.
  const countdown = page.locator('.countdown');
  const before = await countdown.textContent();
  await expect(countdown).not.toHaveText(before!, { timeout: 3000 });

  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByRole('region', { name: '2. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  // The token in the query instead of the header: this API does not read it there.
  await page.getByLabel('The token goes in').selectOption('query');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  const query = page.getByRole('region', { name: '3. Lesson: the token in the query' });
  await expect(query.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(query.locator('pre[data-part="request"]')).toContainText('GET /fhir/Patient?access_token=');
  await page.getByLabel('The token goes in').selectOption('header');
  await page.getByRole('button', { name: /^Run \d+: introspect$/ }).click();
  await expect(page.getByRole('region', { name: '4. Introspect the token' }).locator('pre[data-part="response"]')).toContainText('"active": true');
  await page.getByRole('button', { name: /^Run \d+: revoke$/ }).click();
  await expect(page.getByRole('region', { name: '5. Revoke the token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  const after = page.getByRole('region', { name: '6. Call the API after revoking' });
  await expect(after.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(after.locator('pre[data-part="response"]')).toContainText('error="invalid_token"');

  // The failure lesson: a wrong secret.
  await page.getByRole('button', { name: /^Lesson \d+: try a wrong secret$/ }).click();
  const lesson = page.getByRole('region', { name: 'Lesson: a wrong secret' });
  await expect(lesson.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(lesson.locator('pre[data-part="response"]')).toContainText('"error": "invalid_client"');
  await expect(lesson.locator('li[data-check="false"]')).toContainText('the client secret matches its argon2 hash');

  await page.setViewportSize({ width: 1280, height: 900 });
  const titles = await page.locator('.timeline > li .exchange-head h3').allInnerTexts();
  expect(titles.slice(0, 2)).toEqual(['1. Request a token', '2. Call the demo API']);
  expect(titles.map((t) => Number(t.split('.')[0]))).toEqual(titles.map((_, i) => i + 1));
  await screenshot(page, 'flow-client-credentials-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-client-credentials-390');
  expect(errors).toEqual([]);
});

test('an edited request card: the edit reaches the server, and Reset returns to the plan', async ({ page }) => {
  await page.goto('/sandbox/client-credentials');
  await waitForHydration(page);
  await page.getByText('Edit a request before it runs').click();
  await page.getByRole('button', { name: 'Load the planned request' }).click();
  const body = page.getByLabel('Body', { exact: true });
  await expect(body).toHaveValue('grant_type=client_credentials&scope=patient.read');
  await expect(page.getByLabel(/^Headers/)).toHaveValue(/authorization: Basic /);
  await body.fill('grant_type=magic&scope=patient.read');
  await page.getByRole('button', { name: 'Run 1: the edited request' }).click();
  const card = page.getByRole('region', { name: '1. Request a token (edited)' });
  await expect(card.locator('.status')).toHaveText('HTTP/1.1 400 Bad Request');
  await expect(card.locator('pre[data-part="request"]')).toContainText('grant_type=magic');
  await expect(card.locator('pre[data-part="response"]')).toContainText('"error": "unsupported_grant_type"');
  // Reset: the planned request again, and it gets a token.
  await page.getByRole('button', { name: 'Load the planned request' }).click();
  await expect(body).toHaveValue('grant_type=client_credentials&scope=patient.read');
  await page.getByRole('button', { name: 'Run 2: the edited request' }).click();
  await expect(page.getByRole('region', { name: '2. Request a token' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  // A header line without a colon is refused before anything is sent.
  await page.getByRole('button', { name: 'Load the planned request' }).click();
  await page.getByLabel(/^Headers/).fill('not a header');
  await page.getByRole('button', { name: 'Run 3: the edited request' }).click();
  await expect(page.getByRole('alert')).toContainText('has no colon');
});

// A measurement, not a timed test: it logs the median time from a click on Run to its card
// shown, and asserts only that every card arrived.
test('click on Run to its card shown: the median of nine', async ({ page }) => {
  await page.goto('/sandbox/client-credentials');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Run 1: request a token' }).click();
  await expect(page.getByRole('region', { name: '1. Request a token' })).toBeVisible();
  const times: number[] = [];
  for (let n = 2; n <= 10; n++) {
    const started = Date.now();
    await page.getByRole('button', { name: `Run ${n}: call the API` }).click();
    await expect(page.getByRole('region', { name: `${n}. Call the demo API` }).locator('.status')).toBeVisible();
    times.push(Date.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`click on Run to card shown: median ${times[4]} ms, min ${times[0]} ms, max ${times[8]} ms`);
});
