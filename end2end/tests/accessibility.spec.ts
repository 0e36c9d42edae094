import { test, expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import { signInAndAllow, waitForHydration } from './helpers';

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page and returns the serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // @ts-ignore axe is injected above
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help + " @ " + v.nodes.map((n: any) => n.target.join(" ") + " " + (n.any[0]?.message ?? "")).join(" | ") }));
  });
  return result
    .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: any) => `${v.impact} ${v.id} (${v.nodes}): ${v.help}`);
}

for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 390], ['dark', 390]] as const) {
  test(`no serious or critical axe violations (${scheme}, ${width} px)`, async ({ page }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await waitForHydration(page);
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto('/sandbox/client-credentials');
    await waitForHydration(page);
    await page.getByRole('button', { name: /^Run \d+: request a token$/ }).click();
    await expect(page.locator('[data-signature]')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto('/endpoints');
    await waitForHydration(page);
    expect(await seriousViolations(page)).toEqual([]);

    for (const flow of ['basic', 'password', 'authorization-code', 'implicit', 'device', 'jwt-auth', 'smart-standalone', 'smart-ehr', 'smart-ehr/launch?iss=x&launch=y', 'backend-services', 'runs']) {
      await page.goto(`/sandbox/${flow}`);
      await waitForHydration(page);
      expect(await seriousViolations(page)).toEqual([]);
    }

    await page.goto('/tools/token#token=' + encodeURIComponent((await (await page.request.post('/auth/token', {
      headers: { authorization: 'Basic ' + Buffer.from('service-client:service-secret').toString('base64') },
      form: { grant_type: 'client_credentials', scope: 'patient.read' },
    })).json()).access_token));
    await expect(page.getByText(/^Signature valid/)).toBeVisible();
    expect(await seriousViolations(page), 'the token inspector').toEqual([]);

    // The tutorial: its overview with the workspace, and every chapter with a run on it.
    await page.goto('/tutorial');
    await waitForHydration(page);
    await expect(page.getByText(/This browser has a private workspace/)).toBeVisible();
    expect(await seriousViolations(page), 'the tutorial').toEqual([]);
    for (const chapter of ['basic', 'client-credentials', 'password', 'authorization-code', 'implicit']) {
      await page.goto(`/tutorial/${chapter}`);
      await waitForHydration(page);
      await page.getByRole('button', { name: /^Run \d+: register your client$/ }).click();
      await expect(page.getByText('HTTP/1.1 201 Created').first()).toBeVisible();
      expect(await seriousViolations(page), `tutorial chapter ${chapter}`).toEqual([]);
    }

    // A whole code-flow run: the banner on sign-in, then the callback's timeline and tokens.
    await page.goto('/sandbox/authorization-code');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Run 1: go to the authorization server' }).click();
    await expect(page.getByRole('complementary', { name: 'Sandbox run' })).toBeVisible();
    expect(await seriousViolations(page), 'sign-in in a sandbox run').toEqual([]);
    await signInAndAllow(page, 'alice', 'alice-password');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Run 2: exchange the code' }).click();
    await expect(page.getByRole('region', { name: 'Decoded ID token' })).toBeVisible();
    expect(await seriousViolations(page), 'the callback with its timeline').toEqual([]);

    await page.goto('/auth/authorize?response_type=code&client_id=web-client&redirect_uri=https://evil.example/cb');
    expect(await seriousViolations(page)).toEqual([]);

    // The developer console, signed out and signed in.
    await page.goto('/developer');
    await waitForHydration(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto('/developer/signup');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Username').fill(`axe-${scheme}-${width}-${Date.now()}`);
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForHydration(page);
    for (const path of ['/developer', '/developer/clients/new', '/developer/users', '/developer/policies', '/developer/trusted-issuers', '/developer/preview']) {
      await page.goto(path);
      await waitForHydration(page);
      expect(await seriousViolations(page), path).toEqual([]);
    }
  });
}
