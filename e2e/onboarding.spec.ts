import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { RunningSshd, TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { openTab, startKeysmithStack, type KeysmithStack } from './fixtures/keysmith-stack.ts';
import type { RunningKeysmith } from './fixtures/keysmith-server.ts';

// "Get started" against the real server and a real sshd, in one tab, in order.
test.describe.configure({ mode: 'serial' });

/** Seqera's rule for a credential name, written out here independently of the app's. */
const SEQERA_NAME = /^[A-Za-z0-9_-]{1,100}$/;
const passphrase = 'Seqera pässphrase & "quotes" ü';

let user: TestUser;
let keysmith: RunningKeysmith;
let sshd: RunningSshd;
let context: BrowserContext;
let page: Page;
let scratch: string;
let stack: KeysmithStack;
const requests: { method: string; url: string; body: string }[] = [];
const pageErrors: string[] = [];
/** What the page handed out for Seqera, to check none of it ever reached a server. */
const secrets: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startKeysmithStack({ user: 'keysmith-onb', scratch: 'e2e-onboarding' });
  ({ user, keysmith, sshd, scratch } = stack);
  ({ context, page } = await openTab(browser, keysmith.origin, {
    viewport: { width: 1100, height: 900 },
    requests,
    pageErrors,
  }));
});

test.afterAll(async () => {
  await context.close();
  await stack.stop();
});

async function copied(button: string): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  return text;
}

function authorizedKeys(): string {
  return readFileSync(keysmith.authorizedKeys, 'utf8');
}

/** ssh as the test user with a key that `passphrase` protects. */
function login(keyFile: string) {
  return sshd.tryLogin(user.name, keyFile, { passphrase });
}

/**
 * What the real `ssh-add -l` prints after `ssh-add KEY` into a fresh ssh-agent, the passphrase
 * typed through SSH_ASKPASS.
 */
function sshAddList(key: string): string {
  const agentEnv = execFileSync('ssh-agent', ['-s']).toString();
  const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agentEnv)?.[1] ?? '';
  const pid = Number(/SSH_AGENT_PID=(\d+);/.exec(agentEnv)?.[1]);
  const askpass = join(scratch, 'askpass');
  writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$KS_PASS"\n', { mode: 0o700 });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    SSH_AUTH_SOCK: sock,
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: 'force',
    DISPLAY: ':0',
    KS_PASS: passphrase,
  };
  try {
    execFileSync('ssh-add', [key], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return execFileSync('ssh-add', ['-l'], { env, timeout: 10_000 }).toString().trim();
  } finally {
    process.kill(pid);
  }
}

const name = () => `seqera-${user.name}`;
let keyFile = '';
let fingerprint = '';

test('steps 1–2: profile menu → Get started, then a restricted, expiring key named for Seqera', async () => {
  await page.goto(keysmith.signInUrl);
  await page.getByRole('button', { name: `Profile menu: ${user.name}` }).click();
  await page.getByRole('menuitem', { name: 'Get started' }).click();
  await expect(page).toHaveURL(`${keysmith.origin}/get-started`);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Get started with Seqera Platform' }),
  ).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Step 1 of 5: What will happen' })).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/onboarding-1-intro.png' });
  await expectNoAxeViolations(page, 'onboarding step 1');

  await page.getByRole('button', { name: 'Begin' }).click();
  const form = page.getByRole('form', { name: 'Generate a key for Seqera' });
  await expect(form.getByLabel('Name')).toHaveValue(name());
  expect(name()).toMatch(SEQERA_NAME);
  await expect(form).toContainText(/Expires: in 90 days, on \d{4}-\d{2}-\d{2}\./);
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByLabel('Confirm passphrase').fill(passphrase);
  await page.screenshot({ path: 'e2e/screenshots/onboarding-2-generate.png' });
  await expectNoAxeViolations(page, 'onboarding step 2');
  await form.getByRole('button', { name: 'Generate Key' }).click();
  await expect(
    page.getByRole('heading', { name: 'Step 3 of 5: Add it to Seqera Platform' }),
  ).toBeVisible();

  // Only the public key went to the server: the file holds it, restricted, expiring.
  expect(authorizedKeys()).toMatch(
    new RegExp(`\\nrestrict,expiry-time="\\d{8}\\S*" ssh-ed25519 AAAA\\S+ ${name()}\\n$`),
  );
});

test('step 3: each copied field is exactly what Seqera, tw and the API take', async () => {
  await page.screenshot({ path: 'e2e/screenshots/onboarding-3-seqera-form.png', fullPage: true });
  await expectNoAxeViolations(page, 'onboarding step 3');

  const copiedName = await copied('Copy Name');
  expect(copiedName).toBe(name());
  expect(copiedName).toMatch(SEQERA_NAME);
  expect(await copied('Copy Provider')).toBe('SSH');

  const privateKey = await copied('Copy SSH private key');
  secrets.push(privateKey);
  expect(privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
  expect(privateKey.endsWith('\n-----END OPENSSH PRIVATE KEY-----\n')).toBe(true);
  keyFile = join(scratch, name());
  writeFileSync(keyFile, privateKey, { mode: 0o600 });
  // The real ssh-keygen loads the copied key with the passphrase, and it is the file's key.
  const derived = execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', keyFile])
    .toString()
    .trim();
  expect(authorizedKeys()).toContain(` ${derived}\n`);
  expect(() =>
    execFileSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', keyFile], { stdio: 'pipe' }),
  ).toThrow();
  fingerprint = execFileSync('ssh-keygen', ['-l', '-f', keyFile]).toString().split(' ')[1] ?? '';

  expect(await copied('Copy Passphrase')).toBe(passphrase);
  secrets.push(passphrase);
  expect(await copied('Copy Linux user name')).toBe(user.name);

  // The other ways are folded away below Seqera's form.
  await page.getByText('Other ways to add it: the Seqera CLI (tw) or the Seqera API').click();

  // The tw command, run by a real shell against a stand-in `tw` that records its arguments,
  // with the key saved where the page says: the words tw gets, and a -k file ssh-keygen loads.
  const command = await copied('Copy tw command');
  expect(command).toBe(`tw credentials add ssh -n ${name()} -k ~/.ssh/${name()} -p`);
  const twHome = join(scratch, 'home');
  mkdirSync(join(twHome, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(twHome, '.ssh', name()), privateKey, { mode: 0o600 });
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'tw'), '#!/bin/sh\nprintf "%s\\0" "$@" > "$TW_ARGS"\n', { mode: 0o755 });
  const argsFile = join(scratch, 'tw-args');
  execFileSync('bash', ['-c', command], {
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: twHome, TW_ARGS: argsFile },
  });
  const argv = readFileSync(argsFile, 'utf8').split('\0').slice(0, -1);
  const keyPath = join(twHome, '.ssh', name());
  expect(argv).toEqual(['credentials', 'add', 'ssh', '-n', name(), '-k', keyPath, '-p']);
  expect(
    execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', keyPath]).toString().trim(),
  ).toBe(derived);

  // The API body: Seqera's CreateCredentials, parsed as a server would.
  const json = await copied('Copy JSON body');
  secrets.push(json);
  const body = JSON.parse(json) as unknown;
  expect(body).toEqual({
    credentials: { name: name(), provider: 'ssh', keys: { privateKey, passphrase } },
  });

  // This server has no --seqera-api: its CSP would refuse any Seqera API, so no offer to send.
  await expect(page.getByText(/send it to Seqera Platform from this page/)).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Send to Seqera Platform' })).toHaveCount(0);
  await expectNoAxeViolations(page, 'onboarding step 3, other ways open');
});

test('steps 4–5: the key with its fingerprint; sshd ignoring the file stops the flow until fixed', async () => {
  // Make the home world-writable: sshd's StrictModes then ignores authorized_keys.
  const mode = statSync(keysmith.home).mode & 0o777;
  chmodSync(keysmith.home, mode | 0o002);
  expect((await login(keyFile)).ok).toBe(false);

  await page.getByRole('button', { name: 'I have added it to Seqera' }).click();
  await expect(page.getByRole('heading', { name: 'Step 4 of 5: Check the key' })).toBeFocused();
  const card = page.getByRole('listitem', { name: name() });
  await expect(card).toContainText(fingerprint);
  await expect(page.getByLabel('What ssh-add -l prints')).toHaveText(sshAddList(keyFile));
  // ssh-keygen -lf on the encrypted file: same fingerprint, the comment is encrypted too.
  expect(execFileSync('ssh-keygen', ['-l', '-f', keyFile]).toString().trim()).toBe(
    `256 ${fingerprint} no comment (ED25519)`,
  );
  await expect(page.getByRole('alert')).toContainText(
    'Stop here: sshd ignores your authorized_keys, so Seqera cannot log in yet.',
  );
  await expect(page.getByRole('button', { name: 'Finish' })).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/onboarding-4-stopped.png', fullPage: true });
  await expectNoAxeViolations(page, 'onboarding step 4, stopped by StrictModes');

  // Run the very fix the page shows, then "Check again".
  const fixes = page.getByRole('region', { name: /sshd will ignore/ }).locator('code.command');
  await expect(fixes).toHaveCount(1);
  const fix = (await fixes.textContent()) ?? '';
  expect(fix).toContain(keysmith.home);
  execFileSync('sh', ['-c', fix]);
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByRole('button', { name: 'Finish' })).toBeVisible();
  await expectNoAxeViolations(page, 'onboarding step 4');

  // Seqera's side, played by ssh with the copied key: sshd lets it in, under that fingerprint.
  const result = await login(keyFile);
  expect(result.ok, `${result.output}\n${sshd.log()}`).toBe(true);
  expect(sshd.log()).toContain(`Accepted publickey for ${user.name} from 127.0.0.1 port `);
  expect(sshd.log()).toContain(`ssh2: ED25519 ${fingerprint}`);

  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('heading', { name: 'Step 5 of 5: Done' })).toBeVisible();
  // What is true, and what is left to do in Seqera; this server does not read sshd's log, so
  // nothing about logins.
  const done = page.locator('.onboarding-step');
  await expect(done).toContainText(
    `The key ${name()} is in ${keysmith.authorizedKeys} on this host, restricted to commands, and sshd accepts the file.`,
  );
  await expect(done).toContainText('What you still set in Seqera');
  await expect(done).not.toContainText(/can now log in|logged in|Waiting for the first login/);
  await expectNoAxeViolations(page, 'onboarding done');
});

test('step 6: a reload on step 3 loses the private key by design; "Start over" removes that key', async () => {
  // After Finish, the flow is done with its key: Start over keeps it.
  await page.getByRole('button', { name: 'Start over' }).click();
  await expect(page.getByRole('heading', { name: /Step 1 of 5/ })).toBeVisible();
  expect(authorizedKeys()).toContain(` ${name()}\n`);

  await page.getByRole('button', { name: 'Begin' }).click();
  const form = page.getByRole('form', { name: 'Generate a key for Seqera' });
  await expect(form.getByLabel('Name')).toHaveValue(`${name()}-2`);
  await form.getByRole('button', { name: 'Generate Key' }).click();
  await expect(page.getByRole('heading', { name: /Step 3 of 5/ })).toBeVisible();
  const second = await copied('Copy SSH private key');
  secrets.push(second);
  expect(authorizedKeys()).toContain(` ${name()}-2\n`);

  const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
  expect(stored).toContain(`${name()}-2`);
  expect(stored).not.toContain('PRIVATE KEY');
  expect(stored).not.toContain(second.split('\n')[1]);

  await page.reload();
  await expect(page.getByRole('heading', { name: /Step 3 of 5/ })).toBeVisible();
  await expect(page.getByText('The private key is gone.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy SSH private key' })).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/onboarding-5-reloaded.png' });
  await expectNoAxeViolations(page, 'onboarding after a reload');

  // One way to start over at a time: the notice's own.
  await expect(page.getByRole('button', { name: /Start over/ })).toHaveCount(1);
  await page.getByRole('button', { name: 'Start over with a new key' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Start over?' });
  await expect(confirm).toContainText(`${name()}-2`);
  await expectNoAxeViolations(page, 'start over confirmation');
  await confirm.getByRole('button', { name: 'Remove key and start over' }).click();
  await expect(page.getByRole('heading', { name: /Step 1 of 5/ })).toBeVisible();
  expect(authorizedKeys()).not.toContain(`${name()}-2`);
  expect(authorizedKeys()).toContain(` ${name()}\n`);
});

test('leaving step 3 by the logo, the profile menu or the back button asks first; leaving removes the key', async () => {
  await page.goto(`${keysmith.origin}/ssh-keys`);
  await page.getByRole('button', { name: `Profile menu: ${user.name}` }).click();
  await page.getByRole('menuitem', { name: 'Get started' }).click();
  await page.getByRole('button', { name: 'Begin' }).click();
  await page.getByRole('button', { name: 'Generate Key' }).click();
  await expect(page.getByRole('heading', { name: /Step 3 of 5/ })).toBeVisible();
  const newKey = ` ${name()}-2\n`;
  expect(authorizedKeys()).toContain(newKey);
  const leave = page.getByRole('alertdialog', { name: 'Leave without the private key?' });
  const stay = async () => {
    await leave.getByRole('button', { name: 'Stay' }).click();
    await expect(leave).toHaveCount(0);
    await expect(page).toHaveURL(`${keysmith.origin}/get-started`);
    await expect(page.getByRole('button', { name: 'Copy SSH private key' })).toBeVisible();
    expect(authorizedKeys()).toContain(newKey);
  };

  await page.getByRole('link', { name: 'Keysmith' }).click();
  await expect(leave).toContainText(`${name()}-2`);
  await page.screenshot({ path: 'e2e/screenshots/onboarding-6-leave.png' });
  await expectNoAxeViolations(page, 'leaving step 3');
  await stay();

  await page.getByRole('button', { name: `Profile menu: ${user.name}` }).click();
  await page.getByRole('menuitem', { name: 'SSH Keys' }).click();
  await expect(leave).toBeVisible();
  await stay();

  await page.goBack();
  await expect(leave).toBeVisible();
  await expect(page).toHaveURL(`${keysmith.origin}/get-started`);
  await stay();

  await page.goBack();
  await leave.getByRole('button', { name: 'Remove key and leave' }).click();
  await expect(page).toHaveURL(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByRole('heading', { level: 1, name: 'SSH Keys' })).toBeVisible();
  await expect.poll(authorizedKeys).not.toContain(`${name()}-2`);
  expect(authorizedKeys()).toContain(` ${name()}\n`);
});

test('the empty SSH Keys page offers "Get started"', async () => {
  writeFileSync(keysmith.authorizedKeys, '');
  await page.goto(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByText('No SSH keys found')).toBeVisible();
  await page.getByRole('link', { name: 'Get started' }).click();
  await expect(page).toHaveURL(`${keysmith.origin}/get-started`);
  await expectNoAxeViolations(page, 'onboarding from the empty page');
});

test('nothing for Seqera ever reached a server, and the page ran without console errors', () => {
  expect(requests.length).toBeGreaterThan(5);
  for (const request of requests) {
    expect(new URL(request.url).origin).toBe(keysmith.origin);
    const text = `${request.url}\n${request.body}`;
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('"credentials"');
    expect(text).not.toContain('pässphrase');
    expect(text).not.toContain(encodeURIComponent(passphrase));
    for (const secret of secrets) {
      for (const line of secret.split('\n').slice(1, -2)) {
        if (line.length > 8) expect(text).not.toContain(line);
      }
    }
  }
  const posts = requests.filter((request) => request.method === 'POST');
  expect(posts).toHaveLength(3);
  for (const post of posts) {
    expect(Object.keys(JSON.parse(post.body) as object).sort()).toEqual([
      'access',
      'expiresAt',
      'name',
      'publicKey',
    ]);
  }
  expect(pageErrors).toEqual([]);
});
