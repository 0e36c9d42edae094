import { test, expect } from '@playwright/test';
import { collectErrors, openFlow, screenshot } from './helpers';

// The JWT Auth page: the demo API trusts the sandbox's test issuer, through the learner's own
// workspace, and refuses each bad token with the check that failed.
test('JWT Auth: trust the test issuer, call the API with its JWT, and see five refusals', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'JWT Auth');
  await expect(page.getByRole('heading', { name: 'JWT Auth', level: 1 })).toBeVisible();
  await expect(page.getByText(/This browser has a private workspace, learner-/)).toBeVisible();

  // Before any trust, the test issuer's token opens nothing.
  await page.getByRole('button', { name: /^Run \d+: get a JWT from the test issuer$/ }).click();
  const minted = page.getByRole('region', { name: '1. Get a JWT from the outside issuer' });
  await expect(minted.locator('pre[data-part="request"]')).toContainText('POST /sandbox/test-issuer/token HTTP/1.1');
  await expect(minted.locator('pre[data-part="response"]')).toContainText('"alg": "RS256"');
  await page.getByRole('button', { name: /^Run \d+: call the API with it$/ }).click();
  const untrusted = page.getByRole('region', { name: '2. Call the demo API with the outside JWT' });
  await expect(untrusted.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(untrusted.locator('pre[data-part="response"]')).toContainText('is neither this server nor a trusted issuer');

  // The trust and the policy, through the admin REST API as the workspace.
  await page.getByRole('button', { name: /^Run \d+: trust the test issuer$/ }).click();
  const trust = page.getByRole('region', { name: '3. Trust the test issuer' });
  await expect(trust.locator('.status')).toHaveText('HTTP/1.1 201 Created');
  await expect(trust.locator('pre[data-part="request"]')).toContainText('PUT /TrustedIssuer/learner-');
  await expect(trust.locator('pre[data-part="response"]')).toContainText('"jwks_uri"');
  await page.getByRole('button', { name: /^Run \d+: call the API with it$/ }).click();
  const noPolicy = page.getByRole('region', { name: '4. Call the demo API with the outside JWT' });
  await expect(noPolicy.locator('.status')).toHaveText('HTTP/1.1 403 Forbidden');
  await page.getByRole('button', { name: /^Run \d+: let its tokens read patients$/ }).click();
  await expect(page.getByRole('region', { name: '5. Let its tokens read patients' }).locator('.status')).toHaveText('HTTP/1.1 201 Created');

  // The claims are the learner's: a new token with another sub, and the call succeeds.
  await page.getByLabel('sub (the user)').fill('bob@outside.example');
  await page.getByRole('button', { name: /^Run \d+: get a JWT from the test issuer$/ }).click();
  await expect(page.getByRole('region', { name: '6. Get a JWT from the outside issuer' }).locator('pre[data-part="response"]'))
    .toContainText('"sub": "bob@outside.example"');
  await page.getByRole('button', { name: /^Run \d+: call the API with it$/ }).click();
  const ok = page.getByRole('region', { name: '7. Call the demo API with the outside JWT' });
  await expect(ok.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(ok.locator('li[data-check="true"]', { hasText: "the token's aud is an audience the trust accepts" })).toBeVisible();
  await expect(ok.locator('li[data-check="true"]', { hasText: 'the signature verifies with the issuer' })).toBeVisible();
  // The decoded token is checked against the test issuer's keys.
  await expect(page.locator('[data-signature="true"]')).toContainText('Signature valid');
  await expect(page.locator('tr[data-claim="iss"]')).toContainText('/sandbox/test-issuer');

  // Each lesson: the bad token, then the API's refusal naming the check.
  const lessons: [RegExp, string, string][] = [
    [/^Lesson \d+: a token meant for another API$/, 'Lesson: a token meant for another API', 'is not an audience this API accepts'],
    [/^Lesson \d+: an expired token$/, 'Lesson: an expired token', 'the token expired 120 s ago'],
    [/^Lesson \d+: a kid nobody published$/, 'Lesson: a key id nobody published', "is not in the issuer's key set"],
    [/^Lesson \d+: alg none$/, 'Lesson: alg none', 'alg none is never accepted'],
    [/^Lesson \d+: HS256 keyed by the public key$/, 'Lesson: HMAC with the public key', 'HS256 is not one this trust allows'],
  ];
  let n = 8;
  for (const [button, title, reason] of lessons) {
    await page.getByRole('button', { name: button }).click();
    await expect(page.getByRole('region', { name: `${n}. ${title}` })).toBeVisible();
    const call = page.getByRole('region', { name: `${n + 1}. Call the demo API with the outside JWT` });
    await expect(call.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
    await expect(call.locator('pre[data-part="response"]')).toContainText(`error_description="`);
    await expect(call.locator('pre[data-part="response"]')).toContainText(reason);
    n += 2;
  }

  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'flow-jwt-auth-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'flow-jwt-auth-390');
  expect(errors).toEqual([]);
});

test('another browser cannot use a trust it did not make', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  await a.goto('/sandbox/jwt-auth');
  await expect(a.getByText(/This browser has a private workspace, learner-/)).toBeVisible();
  await a.getByRole('button', { name: /^Run \d+: trust the test issuer$/ }).click();
  await expect(a.getByRole('region', { name: '1. Trust the test issuer' }).locator('.status')).toHaveText('HTTP/1.1 201 Created');
  const learner = ((await a.getByText(/This browser has a private workspace, learner-/).textContent()) ?? '')
    .match(/learner-[0-9a-f]+/)![0];
  const b = await (await browser.newContext()).newPage();
  const anonymous = await b.request.get(`/TrustedIssuer/${learner}-test-issuer`);
  expect(anonymous.status()).toBe(401);
});
