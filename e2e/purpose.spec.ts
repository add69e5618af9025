import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { RunningSshd, TestUser } from '../src/testing/sshd.ts';
import { sshKeygen } from '../src/testing/ssh-keygen.ts';
import { startKeysmithStack, type KeysmithStack } from './fixtures/keysmith-stack.ts';
import type { RunningKeysmith } from './fixtures/keysmith-server.ts';

// A laptop key imported with the defaults must give its owner a terminal from a real sshd.
test.describe.configure({ mode: 'serial' });

let user: TestUser;
let keysmith: RunningKeysmith;
let sshd: RunningSshd;
let scratch: string;
let stack: KeysmithStack;

test.beforeAll(async () => {
  stack = await startKeysmithStack({ user: 'keysmith-e2e', scratch: 'e2e-purpose' });
  ({ user, keysmith, sshd, scratch } = stack);
});

test.afterAll(async () => {
  await stack.stop();
});

/** `ssh -tt … tty` with this key: what a person typing `ssh host` gets for a terminal. */
function sshTty(keyFile: string): Promise<{ ok: boolean; output: string }> {
  return sshd.tryLogin(user.name, keyFile, { tty: 'force', command: 'tty' });
}

function keyLine(publicKey: string): string {
  const base64 = publicKey.split(' ')[1] ?? '';
  const line = readFileSync(keysmith.authorizedKeys, 'utf8')
    .split('\n')
    .find((candidate) => candidate.includes(` ${base64}`));
  if (line === undefined) throw new Error(`no line with ${base64} in authorized_keys`);
  return line;
}

async function importKey(page: Page, publicKey: string, purpose?: string) {
  await page.getByRole('button', { name: 'Import Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import Key' });
  await dialog.getByLabel('Public key').fill(publicKey);
  if (purpose !== undefined) await dialog.getByRole('radio', { name: purpose }).check();
  await dialog.getByRole('button', { name: 'Add Key' }).click();
  await expect(dialog).toHaveCount(0);
}

test('a laptop key imported with the defaults gets a terminal; an automation key gets none', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(keysmith.signInUrl);
  await page.goto(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByText('No SSH keys found')).toBeVisible();

  const laptop = sshKeygen('ed25519', 'ada@laptop');
  const laptopFile = join(scratch, 'laptop');
  writeFileSync(laptopFile, laptop.privateKey, { mode: 0o600 });
  await importKey(page, laptop.publicKey);
  // Named after its comment; "To log in from my computer" is restrict,pty.
  await expect(page.getByRole('button', { name: 'ada-laptop', exact: true })).toBeFocused();
  expect(keyLine(laptop.publicKey)).toMatch(/^restrict,pty,expiry-time="\d{8}\S*" ssh-ed25519 /);
  const terminal = await sshTty(laptopFile);
  expect(terminal.output, sshd.log()).toMatch(/^\/dev\/pts\/\d+\r?$/m);
  expect(terminal.ok).toBe(true);

  const ci = sshKeygen('ed25519', 'ci');
  const ciFile = join(scratch, 'ci');
  writeFileSync(ciFile, ci.privateKey, { mode: 0o600 });
  await importKey(page, ci.publicKey, 'For Seqera or other automation (commands only)');
  expect(keyLine(ci.publicKey)).toMatch(/^restrict,expiry-time="\d{8}\S*" ssh-ed25519 /);
  const commands = await sshTty(ciFile);
  expect(commands.output).toContain('PTY allocation request failed');
  expect(commands.output).not.toMatch(/\/dev\/pts\//);
  await context.close();
});
