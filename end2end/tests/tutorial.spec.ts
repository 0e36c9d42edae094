import { test, expect, Page } from '@playwright/test';
import { chapterPerson as person, collectErrors, expectChapterDone as expectDone, runStep as run, tutorialShots as shots } from './helpers';

// A first-time visitor completes the whole tutorial from the landing page, finding everything
// by its visible text and role only: no CSS selectors, and no waiting for the page's script
// (the buttons wait, disabled, until the workspace is open).




async function setUp(page: Page, withPerson: boolean) {
  await run(page, 'register your client');
  await expect(page.getByText('HTTP/1.1 201 Created').first()).toBeVisible();
  await run(page, 'let it read patients');
  if (withPerson) await run(page, 'create a person to sign in as');
}


test('a first-time visitor completes every chapter of the tutorial', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = collectErrors(page);
  const clicks: Record<string, number> = {};
  let count = 0;
  const click = async (f: () => Promise<void>) => {
    count += 1;
    await f();
  };

  await page.goto('/');
  await click(() => page.getByRole('link', { name: 'Start the tutorial' }).click());
  await expect(page.getByRole('heading', { name: 'Tutorial', level: 1 })).toBeVisible();
  await expect(page.getByText(/This browser has a private workspace, learner-/)).toBeVisible();
  await expect(page.getByText('Not done yet')).toHaveCount(8);
  await shots(page, 'overview');

  // Chapter 1: Basic.
  count = 0;
  await click(() => page.getByRole('link', { name: 'Chapter 1: Basic' }).click());
  await expect(page.getByRole('cell', { name: 'its client secret' })).toBeVisible();
  await click(() => setUp(page, false));
  count += 1;
  await click(() => run(page, 'call the API'));
  await expect(page.getByText('HTTP/1.1 200 OK').last()).toBeVisible();
  await click(() => run(page, 'a wrong secret'));
  await expect(page.getByText('HTTP/1.1 401 Unauthorized').last()).toBeVisible();
  await expectDone(page);
  clicks.basic = count;
  await shots(page, 'basic');
  // Progress survives a reload: the chapter finds its run again.
  await page.reload();
  await expectDone(page);

  // Chapter 2: Client Credentials.
  count = 0;
  await click(() => page.getByRole('link', { name: /^Next: chapter 2/ }).click());
  await click(() => setUp(page, false));
  count += 1;
  await click(() => run(page, 'get a token'));
  await click(() => run(page, 'call the API'));
  await click(() => run(page, 'a wrong secret'));
  await expectDone(page);
  clicks['client-credentials'] = count;
  await shots(page, 'client-credentials');

  // Chapter 3: Resource Owner Password.
  count = 0;
  await click(() => page.getByRole('link', { name: /^Next: chapter 3/ }).click());
  await click(() => setUp(page, true));
  count += 2;
  await click(() => run(page, 'get a token'));
  await click(() => run(page, 'call the API'));
  await click(() => run(page, 'a wrong password'));
  await expectDone(page);
  clicks.password = count;
  await shots(page, 'password');

  // Chapter 4: Authorization Code with PKCE, through the browser.
  count = 0;
  await click(() => page.getByRole('link', { name: /^Next: chapter 4/ }).click());
  await click(() => setUp(page, true));
  count += 2;
  const [user, password] = await person(page);
  await click(() => page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click());
  await expect(page.getByRole('complementary', { name: 'Sandbox run' })).toBeVisible();
  // The banner leads back to the chapter, not to the flow page.
  await expect(page.getByRole('link', { name: 'Back to the run' })).toHaveAttribute('href', /^\/tutorial\/authorization-code\?run=/);
  await expect(page.getByLabel('Username')).toHaveValue(user);
  await page.getByLabel('Password').fill(password);
  count += 1;
  await click(() => page.getByRole('button', { name: 'Sign in', exact: true }).click());
  await click(() => page.getByRole('button', { name: 'Allow', exact: true }).click());
  await expect(page.getByRole('heading', { name: 'Back at the client' })).toBeVisible();
  await click(() => run(page, 'exchange the code'));
  await click(() => run(page, 'call the API'));
  await click(() => run(page, 'replay the code'));
  await expect(page.getByText('HTTP/1.1 400 Bad Request').last()).toBeVisible();
  await click(() => page.getByRole('link', { name: 'Back to the tutorial chapter' }).click());
  await expectDone(page);
  clicks['authorization-code'] = count;
  await shots(page, 'authorization-code');

  // Chapter 5: Implicit.
  count = 0;
  await click(() => page.getByRole('link', { name: /^Next: chapter 5/ }).click());
  await click(() => setUp(page, true));
  count += 2;
  // The same person, with the same password, in every chapter of the workspace.
  expect(await person(page)).toEqual([user, password]);
  await click(() => page.getByRole('button', { name: /^Run \d+: go to the authorization server$/ }).click());
  // Signed in already since chapter 4 (single sign-on): only the consent page for the new client.
  // Exact names: the chapter's own "create a person to sign in as" must not pass for the
  // server's "Sign in", while the browser is still leaving.
  const allow = page.getByRole('button', { name: 'Allow', exact: true });
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  await expect(allow.or(signIn).or(page.getByRole('heading', { name: 'Back at the client' }))).toBeVisible();
  if (await signIn.isVisible()) {
    await page.getByLabel('Password').fill(password);
    await click(() => signIn.click());
  }
  if (await allow.isVisible()) await click(() => allow.click());
  await expect(page.getByRole('heading', { name: 'Finish the implicit flow' })).toBeVisible();
  await click(() => run(page, 'call the API'));
  await click(() => page.getByLabel('The token goes in').selectOption('query'));
  await click(() => run(page, 'call the API'));
  await click(() => page.getByRole('link', { name: 'Back to the tutorial chapter' }).click());
  await expectDone(page);
  clicks.implicit = count;
  await shots(page, 'implicit');

  // The tutorial marks these five chapters done; the SMART chapters are tutorial-smart.spec's.
  await page.getByRole('link', { name: 'All chapters' }).click();
  await expect(page.getByText('Done', { exact: true })).toHaveCount(5);
  await shots(page, 'overview-done');
  console.log(`clicks per chapter: ${JSON.stringify(clicks)}`);
  expect(errors).toEqual([]);
});

test('another browser sees nothing of a workspace, and a kept workspace stays', async ({ browser }) => {
  const a = await browser.newPage();
  await a.goto('/tutorial/client-credentials');
  await expect(a.getByText(/This browser has a private workspace, learner-/)).toBeVisible();
  const learner = ((await a.getByText(/This browser has a private workspace, learner-/).textContent()) ?? '')
    .match(/learner-[0-9a-f]+/)![0];
  await run(a, 'register your client');
  const runUrl = a.url();
  expect(runUrl).toContain('?run=');

  const b = await browser.newPage();
  await b.goto(runUrl);
  await expect(b.getByText('Nothing has crossed yet.')).toBeVisible();
  await expect(b.getByText('HTTP/1.1 201 Created')).toHaveCount(0);

  // Keep it: a name and a password make it a developer account, with what it made.
  const name = `kept-${Date.now()}`;
  await a.getByLabel('Username').fill(name);
  await a.getByLabel(/^Password/).fill('a-kept-password');
  await a.getByRole('button', { name: 'Keep my workspace' }).click();
  await expect(a.getByText(`You are signed in as the developer account ${name}`)).toBeVisible();
  await a.goto('/developer');
  await expect(a.getByText(`${learner}-client-credentials`).first()).toBeVisible();
});
