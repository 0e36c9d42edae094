import { test, expect, Page } from '@playwright/test';
import { chapterPerson as person, collectErrors, expectChapterDone as expectDone, runStep as run, tutorialShots as shots } from './helpers';

// The tutorial's SMART chapters, by visible text and role only: the standalone launch with the
// workspace's own app and person, the EHR launch that the workspace plays, and Backend Services
// with the demo service's own key.




/** Signs in when asked, picks a patient when asked, and allows. */
async function authorize(page: Page, user: string, password: string) {
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  const allow = page.getByRole('button', { name: 'Allow', exact: true });
  const pick = page.getByRole('button', { name: 'Continue', exact: true });
  await expect(signIn.or(allow).or(pick)).toBeVisible();
  if (await signIn.isVisible()) {
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await signIn.click();
    await expect(allow.or(pick)).toBeVisible();
  }
  if (await pick.isVisible()) {
    await page.getByLabel(/Ada Okafor/).check();
    await pick.click();
  }
  await allow.click();
  await expect(page.getByRole('heading', { name: 'Back at the client' })).toBeVisible();
}


test('a visitor completes the three SMART chapters', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = collectErrors(page);
  await page.goto('/tutorial');
  await expect(page.getByText(/This browser has a private workspace, learner-/)).toBeVisible();

  // Chapter 6: the standalone launch, with the workspace's app and person.
  await page.getByRole('link', { name: 'Chapter 6: SMART standalone launch' }).click();
  await run(page, 'register your SMART app');
  await expect(page.getByText('HTTP/1.1 201 Created').first()).toBeVisible();
  await run(page, 'create a person to sign in as');
  const [user, password] = await person(page);
  // The lesson first: aud names another FHIR server, and the server refuses.
  await page.getByRole('button', { name: /^Lesson \d+: send the browser with aud naming another FHIR server$/ }).click();
  // A client the server has not vetted is not sent back with the error: the server's own page.
  await expect(page.getByRole('heading', { name: 'This request cannot go on' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText("is not this server's FHIR base URL");
  await page.goBack();
  await run(page, 'read the SMART configuration');
  await page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click();
  await authorize(page, user, password);
  await run(page, 'exchange the code');
  await expect(page.getByText('the patient in context: patient/ scopes reach this patient only')).toBeVisible();
  await run(page, 'read the patient in context');
  await expect(page.getByText('HTTP/1.1 200 OK').last()).toBeVisible();
  await page.getByRole('link', { name: 'Back to the tutorial chapter' }).click();
  await expectDone(page);
  await shots(page, 'smart-standalone');

  // Chapter 7: the workspace plays the EHR.
  await page.getByRole('link', { name: /^Next: chapter 7/ }).click();
  await run(page, 'register your SMART app');
  await run(page, 'create a person to sign in as');
  await run(page, 'the EHR launches your app');
  await page.getByRole('button', { name: "Open the app's launch URL" }).click();
  await expect(page.getByRole('heading', { name: 'The app, launched by the EHR' })).toBeVisible();
  await expect(page.getByText(/^iss is the FHIR server this app was set up for/)).toBeVisible();
  await page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click();
  await authorize(page, user, password);
  await run(page, 'exchange the code');
  await run(page, 'read the patient in context');
  await run(page, 'read a patient outside the compartment');
  await expect(page.getByText('HTTP/1.1 403 Forbidden').last()).toBeVisible();
  await page.getByRole('link', { name: 'Back to the tutorial chapter' }).click();
  await expectDone(page);
  await shots(page, 'smart-ehr');

  // Chapter 8: Backend Services, with the demo service's key.
  await page.getByRole('link', { name: /^Next: chapter 8/ }).click();
  await expect(page.getByText(/Nothing to send: the demo client backend-service/)).toBeVisible();
  await run(page, 'sign a client assertion');
  await run(page, 'get a token with it');
  await run(page, 'call the FHIR API');
  await run(page, 'send the same assertion again');
  await expect(page.getByText('HTTP/1.1 401 Unauthorized').last()).toBeVisible();
  await expectDone(page);
  await shots(page, 'backend-services');

  await page.getByRole('link', { name: 'All chapters' }).click();
  await expect(page.getByText('Done', { exact: true })).toHaveCount(3);
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});
