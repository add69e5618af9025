import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { RunningSshd, TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { openTab, startKeysmithStack, type KeysmithStack } from './fixtures/keysmith-stack.ts';
import type { RunningKeysmith } from './fixtures/keysmith-server.ts';

// "Get started" on a server that reads sshd's log, names a Seqera API and has a site policy:
// the first login shows up, and a Seqera key is renewed under its name. One tab, in order.
test.describe.configure({ mode: 'serial' });

const passphrase = 'renewal pässphrase';
const DAY_MS = 24 * 60 * 60 * 1000;

let user: TestUser;
let keysmith: RunningKeysmith;
let sshd: RunningSshd;
let context: BrowserContext;
let page: Page;
let scratch: string;
let stack: KeysmithStack;
const pageErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startKeysmithStack({
    user: 'keysmith-onb',
    scratch: 'e2e-onboarding-renewal',
    sshdLog: true,
    serverArgs: (folder) => {
      const policy = join(folder, 'policy.json');
      writeFileSync(policy, JSON.stringify({ maxLifetimeDays: 30, requirePassphrase: true }), {
        mode: 0o644,
      });
      return ['--seqera-api', 'https://api.cloud.seqera.io', '--policy', policy];
    },
  });
  ({ user, keysmith, sshd, scratch } = stack);
  ({ context, page } = await openTab(browser, keysmith.origin, {
    viewport: { width: 1100, height: 900 },
    pageErrors,
  }));
});

test.afterAll(async () => {
  await context.close();
  await stack.stop();
});

const name = () => `seqera-${user.name}`;

function authorizedKeys(): string {
  return readFileSync(keysmith.authorizedKeys, 'utf8');
}

/** Copies the private key from step 3 into a file of the scratch folder. */
async function copyPrivateKey(file: string): Promise<string> {
  await page.getByRole('button', { name: 'Copy SSH private key', exact: true }).click();
  const privateKey = await page.evaluate(() => navigator.clipboard.readText());
  writeFileSync(join(scratch, file), privateKey, { mode: 0o600 });
  return join(scratch, file);
}

/** ssh as the test user with a key that `passphrase` protects. */
function login(keyFile: string) {
  return sshd.tryLogin(user.name, keyFile, { passphrase });
}

function fingerprintOf(keyFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-f', keyFile]).toString().split(' ')[1] ?? '';
}

let firstKey = '';

test('a site policy sets the lifetime and asks for a passphrase; Send is offered; the first login shows up', async () => {
  await page.goto(keysmith.signInUrl);
  await page.goto(`${keysmith.origin}/get-started`);
  await page.getByRole('button', { name: 'Begin' }).click();
  const form = page.getByRole('form', { name: 'Generate a key for Seqera' });
  await expect(form).toContainText(
    /Expires: in 30 days, on \d{4}-\d{2}-\d{2} \(the longest this site allows\)\./,
  );
  await form.getByRole('button', { name: 'Generate Key' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    'This site requires a passphrase on every key: type one, twice.',
  );
  expect(existsSync(keysmith.authorizedKeys)).toBe(false);
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByLabel('Confirm passphrase').fill(passphrase);
  await form.getByRole('button', { name: 'Generate Key' }).click();
  await expect(page.getByRole('heading', { name: /Step 3 of 5/ })).toBeVisible();
  const expiry = /expiry-time="(\d{4})(\d{2})(\d{2})/.exec(authorizedKeys());
  const expiresAt = Date.UTC(Number(expiry?.[1]), Number(expiry?.[2]) - 1, Number(expiry?.[3]));
  expect(expiresAt - Date.now()).toBeLessThanOrEqual(30 * DAY_MS);
  expect(expiresAt - Date.now()).toBeGreaterThan(28 * DAY_MS);

  // --seqera-api names an API the page's CSP lets it reach: the page offers to send there.
  await page.getByText('Or send it to Seqera Platform from this page').click();
  const send = page.getByRole('form', { name: 'Send to Seqera Platform' });
  await expect(send.getByLabel('Seqera API URL')).toHaveValue('https://api.cloud.seqera.io');
  await expectNoAxeViolations(page, 'onboarding step 3 with Send');

  firstKey = await copyPrivateKey('first');
  await page.getByRole('button', { name: 'I have added it to Seqera' }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  const done = page.locator('.onboarding-step');
  await expect(done).toContainText(
    'Waiting for the first login with this key: run a pipeline in Seqera with this credential.',
  );
  await page.screenshot({ path: 'e2e/screenshots/onboarding-7-waiting.png', fullPage: true });
  await expectNoAxeViolations(page, 'onboarding done, waiting for a login');

  // Seqera's side, played by ssh with the copied key; the page sees it in sshd's log.
  const result = await login(firstKey);
  expect(result.ok, `${result.output}\n${sshd.log()}`).toBe(true);
  await expect(done.getByText(/^Seqera logged in with this key at/)).toHaveText(
    /^Seqera logged in with this key at \d{2}:\d{2} from 127\.0\.0\.1\.$/,
    { timeout: 20_000 },
  );
  await expect(done).not.toContainText('Waiting for the first login');
});

test('renewal: a new key under the same name, edited in Seqera; the old key goes only when asked', async () => {
  await page.getByRole('button', { name: 'Start over' }).click();
  const offer = page.getByRole('region', { name: 'Renew your Seqera key' });
  await expect(offer).toContainText(new RegExp(`${name()} \\(expires \\d{4}-\\d{2}-\\d{2}\\)`));
  await page.screenshot({ path: 'e2e/screenshots/onboarding-8-renew-offer.png' });
  await expectNoAxeViolations(page, 'onboarding renewal offer');
  await offer.getByRole('button', { name: `Renew ${name()}` }).click();

  await expect(page.getByRole('heading', { name: /Step 2 of 5: .*\(renewing / })).toBeVisible();
  const form = page.getByRole('form', { name: 'Generate a key for Seqera' });
  await expect(form.getByLabel('Name')).toHaveCount(0);
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByLabel('Confirm passphrase').fill(passphrase);
  await form.getByRole('button', { name: 'Generate Key' }).click();

  const step = page.locator('.onboarding-step');
  await expect(step).toContainText(`find ${name()} and select Edit`);
  await expect(step).toContainText('Do not add a second credential.');
  await expect(page.getByText(/Other ways to add it|send it to Seqera Platform/)).toHaveCount(0);
  const secondKey = await copyPrivateKey('second');
  // Both keys in the file under the one name: the old one still logs in.
  expect(authorizedKeys().split(`${name()}\n`)).toHaveLength(3);

  await page.getByRole('button', { name: 'I have updated it in Seqera' }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(step).toContainText(
    `The old key ${name()} (${fingerprintOf(firstKey)}) still logs in.`,
  );
  expect((await login(secondKey)).ok).toBe(true);
  await expect(step.getByText(/^Seqera logged in with this key at/)).toBeVisible({
    timeout: 20_000,
  });

  await page.getByRole('button', { name: 'Remove the old key' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Remove the old key?' });
  await expect(confirm).toContainText(fingerprintOf(firstKey));
  await confirm.getByRole('button', { name: 'Remove the old key' }).click();
  await expect(step).toContainText(
    `The old key ${name()} is no longer in your ~/.ssh/authorized_keys: only the new one logs in.`,
  );
  expect(authorizedKeys().split(`${name()}\n`)).toHaveLength(2);
  expect((await login(firstKey)).ok).toBe(false);
  expect((await login(secondKey)).ok).toBe(true);
  await expectNoAxeViolations(page, 'onboarding renewal done');
  expect(pageErrors).toEqual([]);
});
