import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

// The server under test: the built binary on a throw-away SQLite file and its own port.
const port = Number(process.env.E2E_PORT ?? 3217);
const targetDir = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '../target');
const binary = process.env.E2E_BINARY ?? path.join(targetDir, 'debug', 'oauth-sandbox');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-sandbox-e2e-'));
// E2E_EMBEDDED=1: the binary (E2E_BINARY, a copy in an empty directory) runs from its own
// directory with no site root, serving the assets embedded in it; only single-binary.spec runs.
const embedded = process.env.E2E_EMBEDDED === '1';
// A second, independent oauth-sandbox: its own issuer, keys (ES256), database and clients, the
// "other server" the flow pages run against.
const partnerPort = port + 1;
// Named localhost, so its cookies and this server's (127.0.0.1) live in separate jars.
process.env.E2E_PARTNER = `http://localhost:${partnerPort}`;
// E2E_DATABASE_URL: the server under test on another database (a PostgreSQL one, say).
const database = process.env.E2E_DATABASE_URL ?? `sqlite://${dataDir}/e2e.db`;
const server = {
  command: `${binary} --addr 127.0.0.1:${port} --database-url ${database} --admin-password e2e-admin-password --log warn`,
  url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
  cwd: embedded ? path.dirname(binary) : undefined,
  env: embedded ? {} : { LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(targetDir, 'site') },
  reuseExistingServer: false,
  timeout: 60_000,
};
const partner = {
  command: `${binary} --addr 127.0.0.1:${partnerPort} --issuer http://localhost:${partnerPort} --database-url sqlite://${dataDir}/partner.db --admin-password partner-admin-password --signing-alg ES256 --seed ${path.resolve(__dirname, 'fixtures/partner-seed.json')} --log warn`,
  url: `http://127.0.0.1:${partnerPort}/.well-known/jwks.json`,
  env: { LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(targetDir, 'site') },
  reuseExistingServer: false,
  timeout: 60_000,
};

// A third, in mock mode (`--mock`): the test sign-in and the banner.
const mockPort = port + 2;
process.env.E2E_MOCK = `http://127.0.0.1:${mockPort}`;
const mock = {
  command: `${binary} --addr 127.0.0.1:${mockPort} --mock --database-url sqlite://${dataDir}/mock.db --admin-password mock-admin-password --log warn`,
  url: `http://127.0.0.1:${mockPort}/readyz`,
  env: { LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(targetDir, 'site') },
  reuseExistingServer: false,
  timeout: 60_000,
};

// A second node of the server under test: the same issuer and database on another port, as a
// load balancer's second backend would be (README, "Several nodes behind one issuer").
const nodePort = port + 3;
process.env.E2E_SECOND_NODE = `http://127.0.0.1:${nodePort}`;
const secondNode = {
  command: `${binary} --addr 127.0.0.1:${nodePort} --issuer http://127.0.0.1:${port} --database-url ${database} --admin-password e2e-admin-password --log warn`,
  url: `http://127.0.0.1:${nodePort}/readyz`,
  env: server.env,
  reuseExistingServer: false,
  timeout: 60_000,
};

export default defineConfig({
  testDir: './tests',
  testMatch: embedded ? /single-binary\.spec\.ts$/ : /.*\.spec\.ts$/,
  testIgnore: embedded ? [] : [/single-binary\.spec\.ts$/],
  outputDir: './test-results',
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: embedded ? [server] : [server, partner, mock, secondNode],
});
