import { test, expect, Page } from '@playwright/test';
import { collectErrors, openFlow, screenshot, signInAndAllow, waitForHydration } from './helpers';

/** The timeline's card titles, oldest first. */
async function timeline(page: Page, count?: number): Promise<string[]> {
  const cards = page.locator('.timeline > li .exchange-head h3');
  if (count !== undefined) await expect(cards).toHaveCount(count);
  return cards.allInnerTexts();
}

test('authorization code + PKCE: the whole exchange on one timeline, front channel included', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'Authorization Code + PKCE');
  await expect(page.locator('[data-challenge]')).not.toHaveText('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await screenshot(page, 'flow-authorization-code-start-1280');
  // Other specs may have let alice allow web-client already: ask for consent again, so the
  // consent page is part of this run whatever ran before.
  await page.getByLabel(/^prompt/).selectOption('consent');

  const started = Date.now();
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  // The server's own sign-in page carries the sandbox banner, and says what it is for.
  const banner = page.getByRole('complementary', { name: 'Sandbox run' });
  await expect(banner).toContainText('arrow 2 of 12');
  await expect(banner).toContainText('never sees this password');
  await expect(banner.getByRole('link', { name: 'Back to the run' })).toHaveAttribute('href', /\/sandbox\/authorization-code\?run=[0-9a-f]{32}$/);
  await screenshot(page, 'sign-in-in-a-sandbox-run-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'sign-in-in-a-sandbox-run-390');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('complementary', { name: 'Sandbox run' })).toContainText('arrow 3 of 12');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);
  await waitForHydration(page);
  await expect(page.locator('[data-state-check="true"]')).toContainText('state matches');

  // The front channel, recorded by the server as it crossed, oldest first.
  expect(await timeline(page, 4)).toEqual([
    '1.1 The authorization request',
    '1.2 The sign-in post',
    '1.3 The consent page',
    '1.4 The consent post, and the redirect back',
  ]);
  const front = page.locator('.timeline > li.front');
  await expect(front).toHaveCount(4);
  await expect(front.first().locator('[data-channel="front"]')).toContainText('carried by the browser');
  await expect(front.first().locator('tr[data-param="code_challenge"]')).toContainText('RFC 7636');
  await expect(front.nth(1).locator('pre[data-part="request"]')).toContainText('password=••••••••');
  await expect(front.nth(1).locator('pre[data-part="request"]')).not.toContainText('alice-password');
  const back = front.nth(3).locator('pre[data-part="response"]');
  await expect(back).toContainText(/location: http:\/\/127\.0\.0\.1:\d+\/sandbox\/callback\?code=.*&state=.*&iss=/);
  // The diagram's trail: the first four arrows taken, the redirect back the newest.
  await expect(page.locator('.sequence-list li.taken')).toHaveCount(3);
  await expect(page.locator('.sequence-list li.current')).toContainText('redirect to redirect_uri');

  await page.getByRole('button', { name: 'Lesson 2: a wrong code_verifier' }).click();
  const wrong = page.getByRole('region', { name: '2. Lesson: a wrong code_verifier' });
  await expect(wrong.locator('pre[data-part="response"]')).toContainText('"error": "invalid_grant"');
  await expect(page.getByRole('status')).toContainText('2. Lesson: a wrong code_verifier: HTTP/1.1 400 Bad Request');

  await page.getByRole('button', { name: 'Run 3: exchange the code' }).click();
  const exchange = page.getByRole('region', { name: '3. Exchange the code' });
  await expect(exchange.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  console.log(`authorization code flow, click on Run 1 to token shown: ${Date.now() - started} ms (includes typing)`);
  await expect(exchange).toBeInViewport();
  await expect(exchange.locator('pre[data-part="request"]')).toContainText('code_verifier=••••••••');

  // Every token decoded: the ID token with the client's checks, the refresh token opaque.
  const id = page.getByRole('region', { name: 'Decoded ID token' });
  await expect(id.locator('tr[data-claim="sub"]')).toContainText('alice');
  await expect(id.locator('tr[data-claim="nonce"]')).toBeVisible();
  for (const check of ['nonce is the value', 'at_hash is the left half', 'aud contains the client_id', 'the signature verifies']) {
    await expect(id.locator('li[data-check="true"]', { hasText: check })).toBeVisible();
  }
  await expect(id.locator('li[data-check="false"]')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Decoded access token' }).locator('[data-signature="true"]')).toBeVisible();
  await expect(page.getByRole('region', { name: 'The refresh token' }).locator('pre[data-part="introspection"]')).toContainText('"token_type": "refresh_token"');

  await page.getByRole('button', { name: 'Run 4: ask userinfo who signed in' }).click();
  const userinfo = page.getByRole('region', { name: '4. Ask the userinfo endpoint who signed in' });
  await expect(userinfo.locator('pre[data-part="response"]')).toContainText('"sub": "alice"');

  await page.getByRole('button', { name: 'Run 5: call the API' }).click();
  await expect(page.getByRole('region', { name: '5. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: 'Run 6: refresh' }).click();
  await expect(page.getByRole('region', { name: '6. Refresh' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: 'Lesson 7: replay the code' }).click();
  await expect(page.getByRole('region', { name: '7. Lesson: replay the code' }).locator('pre[data-part="response"]')).toContainText('every token issued from it has been revoked');
  await page.getByRole('button', { name: 'Run 8: call the API' }).click();
  await expect(page.getByRole('region', { name: '8. Call the demo API' }).locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');

  const titles = await timeline(page, 11);
  expect(titles.slice(4)).toEqual([
    '2. Lesson: a wrong code_verifier',
    '3. Exchange the code',
    '4. Ask the userinfo endpoint who signed in',
    '5. Call the demo API',
    '6. Refresh',
    '7. Lesson: replay the code',
    '8. Call the demo API',
  ]);
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'flow-authorization-code-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator('.sequence-list')).toBeVisible();
  await expect(page.locator('svg.sequence')).toBeHidden();
  await screenshot(page, 'flow-authorization-code-390');
  expect(errors).toEqual([]);
});

test('prompt=consent shows consent again, and it joins the same run as step 2', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await signInAndAllow(page, 'bob', 'bob-password');
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Back to the flow page' }).click();
  await waitForHydration(page);

  // Signed in and consented: without prompt the server would answer at once.
  await page.getByLabel(/^prompt/).selectOption('consent');
  await expect(page.getByLabel('Authorization URL')).toContainText('prompt=consent');
  await page.getByRole('button', { name: 'Run 2: go to the authorization server' }).click();
  await expect(page.getByRole('complementary', { name: 'Sandbox run' })).toContainText('asks whether this app may act for you');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?code=/);
  await waitForHydration(page);
  await expect(page.locator('.timeline > li.front')).toHaveCount(6);
  const titles = await timeline(page);
  expect(titles.filter((t) => t.startsWith('2.'))).toEqual([
    '2.1 The authorization request',
    '2.2 The consent post, and the redirect back',
  ]);
  await expect(page.locator('.timeline > li.front').nth(4).locator('tr[data-param="prompt"]')).toContainText('consent');
});

test('an edited authorization request reaches the server: an unknown parameter is ignored, max_age=0 forces sign-in', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await page.getByLabel(/^More parameters/).fill('max_age=0\nfavourite_colour=blue');
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.getByRole('complementary', { name: 'Sandbox run' }).getByRole('link', { name: 'Back to the run' }).click();
  await waitForHydration(page);
  const first = page.locator('.timeline > li.front').first();
  await expect(first.locator('tr[data-param="max_age"]')).toContainText('oldest sign-in');
  await expect(first.locator('tr[data-param="favourite_colour"]')).toContainText('ignored');
});

test('the unregistered redirect_uri lesson lands on the explaining page', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await page.getByRole('button', { name: 'Lesson: an unregistered redirect_uri' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered');
  await expect(page.getByText('https://attacker.example/steal')).toBeVisible();
});

test('PKCE plain is refused for a client that does not allow it', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await page.getByLabel('PKCE method').selectOption('plain');
  await expect(page.locator('[data-challenge]')).toHaveText(await page.getByLabel(/code_verifier/).inputValue());
  await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
  await expect(page).toHaveURL(/\/sandbox\/callback\?error=invalid_request/);
  await expect(page.locator('[data-param="error_description"]')).toContainText('plain');
});

test('the refused authorization request joins the run as its own card', async ({ page }) => {
  await page.goto('/sandbox/authorization-code');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Run 1: go to the authorization server' })).toBeEnabled();
  await page.getByRole('button', { name: 'Lesson: an unregistered redirect_uri' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered');
  await page.goBack();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Runs', exact: true }).first().click();
  await page.locator('td a', { hasText: 'Authorization Code + PKCE' }).first().click();
  await expect(page.getByRole('region', { name: '1.1 The authorization request, refused' }).locator('.status')).toHaveText('HTTP/1.1 400 Bad Request');
  await expect(page.getByText('it shows its own error page instead')).toBeVisible();
});
