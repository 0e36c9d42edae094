import { test, expect, Page } from '@playwright/test';
import { bothWidths, collectErrors, openFlow, waitForHydration, signUpDeveloper } from './helpers';

/** The timeline card of step `n` titled `title`. */
const card = (page: Page, n: number, title: string) => page.getByRole('region', { name: `${n}. ${title}` });

/** The sign-in page, then the patient picker when it comes, then consent. */
async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The standalone launch as a learner runs it: discovery, the authorization request with aud,
// sign-in, the patient picker, consent, and on the callback page the token response with its
// launch context, the FHIR reads inside the compartment and the refusal outside it.
test('SMART standalone launch: discover, pick a patient, read that patient and no other', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'SMART standalone launch');
  await expect(page.getByRole('heading', { name: 'SMART standalone launch', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: /^Run 1: read the SMART configuration$/ }).click();
  const discovery = card(page, 1, 'Read the SMART configuration');
  await expect(discovery.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(discovery.locator('pre[data-part="response"]')).toContainText('"launch-standalone"');
  await expect(page.getByLabel('Authorization URL')).toContainText('aud=http%3A%2F%2F127.0.0.1');

  await page.getByRole('button', { name: /^Run 2: go to the authorization server$/ }).click();
  await signIn(page, 'alice', 'alice-password');
  await expect(page.getByRole('heading', { name: /Choose the patient for/ })).toBeVisible();
  await expect(page.getByText(/arrow \d+ of \d+ of the SMART standalone launch diagram/)).toBeVisible();
  await page.getByLabel(/Ada Okafor/).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('know the patient in context: Patient/pat-3')).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/sandbox\/callback\?/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Finish the SMART standalone launch' })).toBeVisible();
  await expect(page.locator('[data-state-check="true"]')).toBeVisible();
  // The front channel joined the run: the picker is on the timeline.
  await expect(page.getByRole('region', { name: /^\d+\.\d+ The patient picker$/ })).toBeVisible();

  await page.getByRole('button', { name: /^Run \d+: exchange the code$/ }).click();
  const exchange = page.getByRole('region', { name: /^\d+\. Exchange the code$/ });
  await expect(exchange.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(exchange.locator('pre[data-part="response"]')).toContainText('"patient": "pat-3"');
  await expect(page.locator('[data-context="patient"]')).toContainText('pat-3');
  await expect(page.locator('[data-context="need_patient_banner"]')).toContainText('true');
  await expect(page.locator('dd[data-context^="fhirUser"]')).toContainText('Practitioner/prac-1');
  // The decoded ID token names the user's FHIR resource.
  await expect(page.locator('tr[data-claim="fhirUser"]').first()).toContainText('Practitioner/prac-1');

  await page.getByRole('button', { name: /^Run \d+: read the patient in context$/ }).click();
  const own = page.getByRole('region', { name: /^\d+\. Read the patient in context$/ });
  await expect(own.locator('pre[data-part="request"]')).toContainText('GET /fhir/Patient/pat-3 HTTP/1.1');
  await expect(own.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Run \d+: search the patient's observations$/ }).click();
  await expect(page.getByRole('region', { name: /^\d+\. Search the patient's observations$/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await page.getByRole('button', { name: /^Lesson \d+: read a patient outside the compartment$/ }).click();
  const other = page.getByRole('region', { name: /^\d+\. Lesson: a patient outside the compartment$/ });
  await expect(other.locator('pre[data-part="request"]')).toContainText('GET /fhir/Patient/pat-1 HTTP/1.1');
  await expect(other.locator('.status')).toHaveText('HTTP/1.1 403 Forbidden');
  await expect(other.locator('pre[data-part="response"]')).toContainText('insufficient_scope');
  await bothWidths(page, 'flow-smart-standalone');
  expect(errors).toEqual([]);
});

test('SMART standalone launch: aud naming another FHIR server is refused, and the run shows why', async ({ page }) => {
  await openFlow(page, 'SMART standalone launch');
  await page.getByRole('button', { name: /^Lesson 1: aud names another FHIR server$/ }).click();
  await page.waitForURL(/\/sandbox\/callback\?/);
  await waitForHydration(page);
  await expect(page.locator('dd[data-param="error"]')).toHaveText('invalid_request');
  await expect(page.locator('dd[data-param="error_description"]')).toContainText("is not this server's FHIR base URL");
  const refused = page.getByRole('region', { name: /^1\.1 The authorization request/ });
  await expect(refused.locator('li[data-check="false"]', { hasText: "aud names this server's FHIR base URL" })).toBeVisible();
  await expect(page.getByRole('button', { name: /exchange the code/ })).toHaveCount(0);
});

// The EHR launch: the learner's workspace registers a SMART app and plays the EHR; the app's
// launch page checks iss, discovers, and authorizes with launch; the token carries the EHR's
// patient, and the launch works once.
test('SMART EHR launch: register an app, launch it for a patient, read that patient', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'SMART EHR launch');
  await expect(page.getByText(/This browser has a private workspace, learner-/)).toBeVisible();
  await page.getByRole('button', { name: /^Run 1: register your SMART app$/ }).click();
  const registered = card(page, 1, 'Register your client');
  await expect(registered.locator('.status')).toHaveText('HTTP/1.1 201 Created');
  await expect(registered.locator('pre[data-part="response"]')).toContainText('/sandbox/smart-ehr/launch');
  await page.getByLabel('Patient open in the EHR').selectOption('pat-2');
  await page.getByRole('button', { name: /^Run 2: create the launch$/ }).click();
  const launched = card(page, 2, 'The EHR launches your app');
  await expect(launched.locator('.status')).toHaveText('HTTP/1.1 201 Created');
  await expect(launched.locator('pre[data-part="response"]')).toContainText('"launch_url"');
  await bothWidths(page, 'flow-smart-ehr');

  await page.getByRole('button', { name: "Open the app's launch URL" }).click();
  await page.waitForURL(/\/sandbox\/smart-ehr\/launch\?/);
  // A step puts the run in the address bar (the EHR page's); the launch URL is kept here.
  const launchPage = page.url();
  await waitForHydration(page);
  await expect(page.locator('[data-iss-check="true"]')).toBeVisible();
  await expect(page.getByLabel("Your app's client_id")).toHaveValue(/-smart-ehr$/);
  await page.getByRole('button', { name: /^Run 3: read the SMART configuration$/ }).click();
  await expect(card(page, 3, 'Read the SMART configuration').locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(page.getByLabel('Authorization URL')).toContainText('launch=');
  await bothWidths(page, 'flow-smart-ehr-launch-page');
  await page.getByRole('button', { name: /^Run 4: go to the authorization server$/ }).click();
  await signIn(page, 'alice', 'alice-password');
  // No picker: the launch gave the patient.
  await expect(page.getByText("receive the EHR's context: Patient/pat-2")).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/sandbox\/callback\?/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Finish the SMART EHR launch' })).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: exchange the code$/ }).click();
  await expect(page.locator('[data-context="patient"]')).toContainText('pat-2');
  await expect(page.locator('dd[data-context^="fhirUser"]')).toContainText('Practitioner/prac-1');
  await page.getByRole('button', { name: /^Run \d+: read the patient in context$/ }).click();
  await expect(page.getByRole('region', { name: /^\d+\. Read the patient in context$/ }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await bothWidths(page, 'flow-smart-ehr-callback');

  // The same launch again: it worked once, so the server refuses it.
  await page.goto(launchPage);
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click();
  await expect(page.getByRole('heading', { name: 'This request cannot go on' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('the launch value was already used; a launch works once');
  // Only the refusal page's own 400.
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

test('Backend Services: sign an assertion, get a system token, read every patient, and replay refused', async ({ page }) => {
  const errors = collectErrors(page);
  await openFlow(page, 'SMART Backend Services');
  await page.getByRole('button', { name: /^Run 1: sign a client assertion$/ }).click();
  const signed = card(page, 1, 'Sign a client assertion');
  await expect(signed.locator('pre[data-part="request"]')).toContainText('"sub": "backend-service"');
  await expect(signed.locator('pre[data-part="request"]')).toContainText('/auth/token');
  await page.getByRole('button', { name: /^Run 2: get a token with it$/ }).click();
  const token = card(page, 2, 'Get a token with the assertion');
  await expect(token.locator('pre[data-part="request"]')).toContainText('client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer');
  await expect(token.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(token.locator('pre[data-part="response"]')).toContainText('"scope": "system/*.rs"');
  await page.getByRole('button', { name: /^Run 3: call the FHIR API$/ }).click();
  const api = card(page, 3, 'Call the FHIR API');
  await expect(api.locator('.status')).toHaveText('HTTP/1.1 200 OK');
  await expect(api.locator('pre[data-part="response"]')).toContainText('pat-1');
  await expect(api.locator('pre[data-part="response"]')).toContainText('pat-3');
  await page.getByRole('button', { name: /^Lesson 4: send the same assertion again$/ }).click();
  const replay = card(page, 4, 'Lesson: replay the client assertion');
  await expect(replay.locator('.status')).toHaveText('HTTP/1.1 401 Unauthorized');
  await expect(replay.locator('pre[data-part="response"]')).toContainText('invalid_client');
  // Asking for a token with the used assertion is stopped before it is sent.
  await page.getByRole('button', { name: /^Run 5: get a token with it$/ }).click();
  await expect(page.getByRole('alert')).toContainText('its jti works once');
  await bothWidths(page, 'flow-backend-services');
  // Only the refused step's own 400.
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

// The console's Test launch: a developer plays the EHR for their own SMART app, and the app's
// launch page carries the launch through to a token for the chosen patient.
test('console Test launch: the owner launches their SMART app for a patient', async ({ page, request, baseURL }) => {
  const errors = collectErrors(page);
  const developer = await signUpDeveloper(page, 'smartdev');
  // A demo user of the developer's with a FHIR resource of their own.
  await page.goto('/developer/users');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(`${developer}-doc`);
  await page.getByLabel('Password').fill('a-long-password');
  await page.getByLabel(/^fhirUser/).fill('Practitioner/prac-2');
  await page.getByRole('button', { name: 'Create the user' }).click();
  await expect(page.locator(`tr[data-user="${developer}-doc"]`)).toContainText('Practitioner/prac-2');
  const app = `${developer}-app`;
  const put = await request.put(`/Client/${app}`, {
    headers: { authorization: `Basic ${Buffer.from(`${developer}:a-long-password`).toString('base64')}` },
    data: {
      client_name: 'My SMART app', token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'], redirect_uris: [`${baseURL}/sandbox/callback`],
      launch_uri: `${baseURL}/sandbox/smart-ehr/launch`, scope: 'openid fhirUser launch patient/*.rs',
    },
  });
  expect(put.status()).toBe(201);
  await page.goto(`/developer/clients/${app}`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Test launch' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Patient', exact: true }).selectOption('pat-2');
  await bothWidths(page, 'console-test-launch');
  await page.getByRole('button', { name: 'Test launch', exact: true }).click();
  await page.waitForURL(/\/sandbox\/smart-ehr\/launch\?iss=.*&launch=/);
  await waitForHydration(page);
  await expect(page.locator('[data-iss-check="true"]')).toBeVisible();
  await page.getByLabel("Your app's client_id").fill(app);
  // This app was registered without offline_access.
  await page.getByLabel('Scope').fill('openid fhirUser launch patient/*.rs');
  await page.getByRole('button', { name: /^Run 1: go to the authorization server$/ }).click();
  await signIn(page, `${developer}-doc`, 'a-long-password');
  await expect(page.getByText("receive the EHR's context: Patient/pat-2")).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/sandbox\/callback\?/);
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Run \d+: exchange the code$/ }).click();
  await expect(page.locator('[data-context="patient"]')).toContainText('pat-2');
  // The person's own fhirUser, from the console's user form, in the ID token.
  await expect(page.locator('dd[data-context^="fhirUser"]')).toContainText('Practitioner/prac-2');
  expect(errors).toEqual([]);
});
