import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { RunningSshd, TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { openTab, startKeysmithStack, type KeysmithStack } from './fixtures/keysmith-stack.ts';
import type { RunningKeysmith } from './fixtures/keysmith-server.ts';
import { sshKeygen } from '../src/testing/ssh-keygen.ts';

// One real server, one real sshd and one browser tab for the whole story, in order.
test.describe.configure({ mode: 'serial' });

let user: TestUser;
const passphrase = 'Tr0ub4dor & 3 — ünïcode';
let keysmith: RunningKeysmith;
let sshd: RunningSshd;
let context: BrowserContext;
let page: Page;
let scratch: string;
let stack: KeysmithStack;
/** Every request the browser made in this run: URL, method and body. */
const requests: { method: string; url: string; body: string }[] = [];
/** Console errors and uncaught exceptions of the page (a CSP refusal shows up here). */
const pageErrors: string[] = [];
/** Every private key the page handed out, to check no request ever carried one. */
const privateKeys: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startKeysmithStack({ user: 'keysmith-e2e', scratch: 'e2e-keys' });
  ({ user, keysmith, sshd, scratch } = stack);
  ({ context, page } = await openTab(browser, keysmith.origin, {
    viewport: { width: 1100, height: 800 },
    requests,
    pageErrors,
  }));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().includes('/api/')) {
      pageErrors.push(`${response.status()} ${response.url()}`);
    }
  });
});

test.afterAll(async () => {
  await context.close();
  await stack.stop();
});

/** ssh with this key as the test user. */
function login(keyFile: string, passphrase?: string) {
  return sshd.tryLogin(user.name, keyFile, { passphrase });
}

async function readClipboard(): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** The authorized_keys line (without options) holding this key's base64. */
function fileLineFor(publicKeyLine: string): string {
  const base64 = publicKeyLine.split(' ')[1] ?? '';
  const line = readFileSync(keysmith.authorizedKeys, 'utf8')
    .split('\n')
    .find((candidate) => candidate.includes(` ${base64}`));
  if (line === undefined) throw new Error(`no line with ${base64} in authorized_keys`);
  return line;
}

function saveKey(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

test('sign in, profile menu → SSH Keys, empty state; deep link and reload work', async () => {
  await page.goto(keysmith.signInUrl);
  // The token left the address bar for this tab's sessionStorage.
  await expect(page).toHaveURL(`${keysmith.origin}/`);
  const profile = page.getByRole('button', { name: `Profile menu: ${user.name}` });
  await expect(profile).toBeVisible();
  await expectNoAxeViolations(page, 'home');

  await profile.click();
  const item = page.getByRole('menuitem', { name: 'SSH Keys' });
  await expect(item).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/01-profile-menu.png' });
  await expectNoAxeViolations(page, 'profile menu');
  await item.click();

  await expect(page).toHaveURL(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByRole('heading', { level: 1, name: 'SSH Keys' })).toBeVisible();
  await expect(page.getByText('No SSH keys found')).toBeVisible();
  await expect(page.getByText(keysmith.authorizedKeys)).toBeVisible();
  await expect(page.getByText(/Mock mode/)).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/02-empty.png' });
  await expectNoAxeViolations(page, 'empty SSH Keys page');

  await page.reload();
  await expect(page.getByText('No SSH keys found')).toBeVisible();
});

test('"+ New Key" without passphrase: copied key is the one in authorized_keys, and sshd lets it in', async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name').fill('seqera-ci');
  await page.screenshot({ path: 'e2e/screenshots/03-generate-dialog.png' });
  await expectNoAxeViolations(page, 'Generate SSH Key dialog');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();

  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  await expect(generated).toContainText('It will not be shown again');
  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  await expect(generated.getByText('Copied').first()).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/04-key-generated.png' });
  await expectNoAxeViolations(page, 'SSH Key Generated dialog');

  const privateKey = await readClipboard();
  privateKeys.push(privateKey);
  expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  expect(privateKey.endsWith('-----END OPENSSH PRIVATE KEY-----\n')).toBe(true);
  const keyFile = saveKey('seqera-ci', privateKey);
  const derived = execFileSync('ssh-keygen', ['-y', '-P', '', '-f', keyFile]).toString().trim();
  expect(derived).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ seqera-ci$/);
  // The file holds that very key, restricted (the default) and expiring (90 days suggested).
  expect(fileLineFor(derived)).toMatch(/^restrict,expiry-time="\d{8}\S*" /);
  expect(fileLineFor(derived).endsWith(derived)).toBe(true);
  await expect(generated.getByLabel('Public key')).toHaveText(derived);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', keyFile]).toString().split(' ')[1];
  await expect(generated.getByText(fingerprint ?? 'none', { exact: true })).toBeVisible();

  // Copied, so Escape closes at once; the list shows the key.
  await page.keyboard.press('Escape');
  await expect(generated).toHaveCount(0);
  const card = page.getByRole('listitem', { name: 'seqera-ci' });
  await expect(card).toContainText(fingerprint ?? 'none');
  await card.getByRole('button', { name: 'seqera-ci', exact: true }).click();
  await expect(card).toContainText('by Keysmith');
  await expect(card).toContainText('Restricted');

  const result = await login(keyFile);
  expect(result.ok, `${result.output}\n${sshd.log()}`).toBe(true);
  expect(sshd.log()).toContain(`Accepted publickey for ${user.name} from 127.0.0.1 port `);
  expect(sshd.log()).toContain(`ssh2: ED25519 ${fingerprint ?? 'none'}`);
});

test('"+ New Key" with passphrase: the page keeps running during the KDF, closing asks first', async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('laptop_2');
  await dialog.getByLabel('Expires').selectOption('none');
  await dialog.getByRole('radio', { name: 'To log in from my computer (a terminal)' }).check();
  await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await dialog.getByLabel('Confirm passphrase').fill(`${passphrase}x`);
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  await expect(dialog.getByText('The passphrases do not match.')).toBeVisible();
  await dialog.getByLabel('Confirm passphrase').fill(passphrase);

  // bcrypt_pbkdf runs in Web Workers: the UI thread's timer keeps ticking meanwhile.
  await page.evaluate(() => {
    const probe = { last: performance.now(), maxGap: 0, timer: 0 };
    probe.timer = window.setInterval(() => {
      const now = performance.now();
      probe.maxGap = Math.max(probe.maxGap, now - probe.last);
      probe.last = now;
    }, 10);
    (window as unknown as { probe: typeof probe }).probe = probe;
  });
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  const maxGap = await page.evaluate(() => {
    const probe = (window as unknown as { probe: { maxGap: number; timer: number } }).probe;
    window.clearInterval(probe.timer);
    return probe.maxGap;
  });
  // bcrypt_pbkdf for 48 bytes at 24 rounds takes ~260–300 ms (REFERENCE.md); on the UI thread
  // the timer would stall that long. The margin allows for a busy 2-core machine.
  expect(maxGap).toBeLessThan(200);

  // Not yet copied: Escape asks instead of losing the key.
  await page.keyboard.press('Escape');
  const confirm = page.getByRole('alertdialog', { name: 'Close without saving the key?' });
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/05-close-confirmation.png' });
  await expectNoAxeViolations(page, 'close confirmation');
  await confirm.getByRole('button', { name: 'Go back' }).click();
  await expect(confirm).toHaveCount(0);

  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  await expect(generated.getByText('Copied').first()).toBeVisible();
  const privateKey = await readClipboard();
  privateKeys.push(privateKey);
  const keyFile = saveKey('laptop_2', privateKey);
  expect(() =>
    execFileSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', keyFile], { stdio: 'pipe' }),
  ).toThrow();
  const derived = execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', keyFile])
    .toString()
    .trim();
  expect(fileLineFor(derived)).toBe(`restrict,pty ${derived}`);

  await generated.getByRole('button', { name: 'Close' }).click();
  await expect(generated).toHaveCount(0);
  await expect(page.getByRole('listitem', { name: 'laptop_2' })).toContainText('Interactive login');

  const result = await login(keyFile, passphrase);
  expect(result.ok, `${result.output}\n${sshd.log()}`).toBe(true);
});

test('Import Key: a pasted private key is refused and sent nowhere; a public key is added', async () => {
  const rsa = sshKeygen('rsa', 'old@workstation');
  privateKeys.push(rsa.privateKey);
  await page.getByRole('button', { name: 'Import Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import Key' });
  const field = dialog.getByLabel('Public key');

  const before = requests.length;
  await field.fill(rsa.privateKey);
  await expect(dialog.getByRole('alert')).toContainText(
    'This is a PRIVATE key. It was not sent anywhere.',
  );
  await expect(field).toHaveValue('');
  await page.screenshot({ path: 'e2e/screenshots/06-import-private-key-refused.png' });
  await expectNoAxeViolations(page, 'Import Key dialog with refusal');
  await dialog.getByRole('button', { name: 'Add Key' }).click();
  expect(requests.slice(before).filter((request) => request.method !== 'GET')).toEqual([]);

  await field.fill(rsa.publicKey);
  await expect(dialog).toContainText(`RSA 3072 bits, ${rsa.fingerprint} (old@workstation)`);
  await dialog.getByLabel('Name').fill('workstation');
  await dialog.getByRole('button', { name: 'Add Key' }).click();
  await expect(dialog).toHaveCount(0);
  const card = page.getByRole('listitem', { name: 'workstation' });
  await expect(card).toContainText(rsa.fingerprint);
  // Import's default purpose is logging in (restrict,pty): an imported key is usually a laptop's.
  expect(fileLineFor(rsa.publicKey)).toMatch(/^restrict,pty,expiry-time="\d{8}\S*" ssh-rsa /);
});

test('the list shows foreign keys; delete asks, warns harder for them, and sshd then refuses the key', async () => {
  const foreign = sshKeygen('ed25519', 'hand-added');
  privateKeys.push(foreign.privateKey);
  appendFileSync(keysmith.authorizedKeys, `${foreign.publicKey}\n`);
  await page.reload();
  const foreignCard = page.getByRole('listitem', { name: 'hand-added' });
  await expect(foreignCard).toContainText('Not added by Keysmith');
  await expectNoAxeViolations(page, 'key list');

  await page.getByRole('button', { name: 'Delete hand-added' }).click();
  let dialog = page.getByRole('alertdialog', { name: 'Delete SSH key "hand-added"?' });
  await expect(dialog).toContainText(foreign.fingerprint);
  await expect(dialog).toContainText('This key was not added by Keysmith.');
  await page.screenshot({ path: 'e2e/screenshots/08-delete-foreign-key.png' });
  await expectNoAxeViolations(page, 'delete dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(foreignCard).toBeVisible();

  const keyFile = join(scratch, 'seqera-ci');
  expect((await login(keyFile)).ok).toBe(true);
  await page.getByRole('button', { name: 'Delete seqera-ci' }).click();
  dialog = page.getByRole('alertdialog', { name: 'Delete SSH key "seqera-ci"?' });
  await expect(dialog).not.toContainText('not added by Keysmith');
  await dialog.getByRole('button', { name: 'Delete Key' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('listitem', { name: 'seqera-ci' })).toHaveCount(0);
  expect(readFileSync(keysmith.authorizedKeys, 'utf8')).not.toContain('seqera-ci');
  const refused = await login(keyFile);
  expect(refused.ok).toBe(false);
  expect(refused.output).toContain('Permission denied');
});

test('keyboard only: generate, copy, close and delete a key', async () => {
  await page.getByRole('button', { name: '+ New Key' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  // Focus moves into the dialog, onto its first field.
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('kbd-key');
  await page.keyboard.press('Enter');

  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  const copy = generated.getByRole('button', { name: 'Copy Private Key' });
  for (let tabs = 0; tabs < 20; tabs += 1) {
    if (await copy.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(copy).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(generated.getByText('Copied').first()).toBeVisible();
  privateKeys.push(await readClipboard());
  await page.keyboard.press('Escape');
  await expect(generated).toHaveCount(0);

  await page.getByRole('button', { name: 'Delete kbd-key' }).focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('alertdialog', { name: 'Delete SSH key "kbd-key"?' });
  // The safe choice has the focus.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(confirm.getByRole('button', { name: 'Delete Key' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole('listitem', { name: 'kbd-key' })).toHaveCount(0);
});

test('no request of the whole run carried a private key or a passphrase', () => {
  expect(requests.length).toBeGreaterThan(10);
  expect(requests.filter((request) => request.method === 'POST')).toHaveLength(4);
  for (const request of requests) {
    const text = `${request.url}\n${request.body}`;
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(passphrase);
    expect(text).not.toContain(encodeURIComponent(passphrase));
    expect(text).not.toContain(JSON.stringify(passphrase).slice(1, -1));
    for (const privateKey of privateKeys) {
      for (const line of privateKey.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    }
  }
  for (const request of requests.filter((candidate) => candidate.method === 'POST')) {
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(
      Object.keys(body).every((key) => ['publicKey', 'name', 'expiresAt', 'access'].includes(key)),
    ).toBe(true);
  }
});

test('the page ran under the strict CSP without a single console error', () => {
  expect(pageErrors).toEqual([]);
});

test('the production build carries no msw (mock mode is for `npm run dev` only)', () => {
  expect(existsSync('dist/web/mockServiceWorker.js')).toBe(false);
  for (const file of readdirSync('dist/web/assets').filter((name) => name.endsWith('.js'))) {
    const text = readFileSync(join('dist/web/assets', file), 'utf8');
    expect(text).not.toContain('mockServiceWorker');
    expect(text).not.toContain('Mocking enabled');
  }
});
