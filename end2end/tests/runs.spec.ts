import { test, expect } from '@playwright/test';
import { collectErrors, screenshot, waitForHydration } from './helpers';

test('every run is kept for its browser, can be reopened, exported with secrets masked, and deleted', async ({ page, browser }) => {
  const request = page.request; // the page's cookies: the run belongs to this browser
  const errors = collectErrors(page);
  await page.goto('/sandbox/basic');
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Run \d+: call the API$/ }).click();
  await expect(page.getByText('This run is saved.')).toBeVisible();
  await page.getByRole('link', { name: 'Open it' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Basic run');
  await expect(page.getByRole('region', { name: '1. Call the API with Basic credentials' }).locator('.status')).toHaveText('HTTP/1.1 200 OK');
  const runUrl = new URL(page.url());
  const id = runUrl.pathname.split('/').pop();

  await page.goto('/sandbox/runs');
  await expect(page.locator(`tr[data-run="${id}"]`)).toContainText("Basic");
  await screenshot(page, 'runs');

  const md = await request.get(`/sandbox/runs/${id}/export.md`);
  expect(md.status()).toBe(200);
  const text = await md.text();
  expect(text).toContain('GET /fhir/Patient HTTP/1.1');
  expect(text).toContain('authorization: Basic ••••••••');
  const revealed = await (await request.get(`/sandbox/runs/${id}/export.sh?reveal=true`)).text();
  expect(revealed).toContain('authorization: Basic YmFzaWMtY2xpZW50OmJhc2ljLXNlY3JldA==');

  // Another browser sees nothing of it.
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  await other.goto('/sandbox/runs');
  await expect(other.getByText('No runs yet.')).toBeVisible();
  expect((await other.request.get(`/sandbox/runs/${id}/export.md?reveal=true`)).status()).toBe(404);
  await other.goto(`/sandbox/runs/${id}`);
  await expect(other.getByRole('heading', { name: 'No such run' })).toBeVisible();
  await stranger.close();

  // Its owner deletes it. First, after hydration, the export links still reach the server
  // (the client router must not take them): a click downloads the Markdown.
  await page.goto(`/sandbox/runs/${id}`);
  await waitForHydration(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Markdown', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`basic-${id}.md`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'run-390');
  await page.getByRole('button', { name: 'Delete run' }).click();
  await expect(page).toHaveURL(/\/sandbox\/runs$/);
  await expect(page.locator(`tr[data-run="${id}"]`)).toHaveCount(0);
  expect(errors).toEqual([]);
});
