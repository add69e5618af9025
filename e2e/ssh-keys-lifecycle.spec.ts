import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { sampleKeyExpiry, sampleKeyName } from '../src/mocks/sample-keys.ts';
import { formatExpiryTime } from '../src/openssh/authorized-keys-options.ts';
import { makeTestKey } from '../src/testing/ssh-keygen.ts';
import type { RunningSshd, TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { openTab, startKeysmithStack, type KeysmithStack } from './fixtures/keysmith-stack.ts';
import type { RunningKeysmith } from './fixtures/keysmith-server.ts';

// One server, one sshd and one tab for the whole story, in order: a file of 60 keys, found,
// sorted, its expired keys removed, and one key replaced end to end.
test.describe.configure({ mode: 'serial' });

const DAY_MS = 24 * 60 * 60 * 1000;
const VIEWPORT = { width: 1280, height: 900 };

let user: TestUser;
let keysmith: RunningKeysmith;
let sshd: RunningSshd;
let context: BrowserContext;
let page: Page;
let scratch: string;
let stack: KeysmithStack;
/** The key to replace: real, with its private half in `scratch`. */
let deployKey: { privatePath: string; publicLine: string; fingerprint: string };
/** Names of the keys that have expired, as written. */
const expiredNames: string[] = [];

/** 59 keys made by ssh-keygen, as Keysmith writes them, and `deploy-ci` among them. */
function writeAuthorizedKeys(now: Date) {
  const lines: string[] = [];
  const added = (daysAgo: number) =>
    new Date(now.getTime() - daysAgo * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (let index = 0; index < 59; index++) {
    const name = sampleKeyName(index);
    const key = makeTestKey(scratch, name, { comment: name });
    const expiry = sampleKeyExpiry(index, now);
    if (expiry !== null && expiry.getTime() < now.getTime()) expiredNames.push(name);
    const options = [index % 2 === 0 ? 'restrict' : 'restrict,pty'];
    if (expiry !== null) options.push(`expiry-time="${formatExpiryTime(expiry)}"`);
    lines.push(`# keysmith name=${name} added=${added(60 - index)}`);
    lines.push(`${options.join(',')} ${key.publicLine}`);
    if (index === 20) {
      deployKey = makeTestKey(scratch, 'deploy-ci', { comment: 'deploy-ci' });
      const expires = formatExpiryTime(new Date(now.getTime() + 10 * DAY_MS));
      lines.push(`# keysmith name=deploy-ci added=${added(80)}`);
      lines.push(`restrict,from="127.0.0.1",expiry-time="${expires}" ${deployKey.publicLine}`);
    }
  }
  const file = keysmith.authorizedKeys;
  mkdirSync(dirname(file), { mode: 0o700 });
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  chownSync(dirname(file), user.uid, user.gid);
  chownSync(file, user.uid, user.gid);
}

function fileText(): string {
  return readFileSync(keysmith.authorizedKeys, 'utf8');
}

function rowNames(): Promise<string[]> {
  return page
    .getByRole('list', { name: 'SSH keys' })
    .getByRole('listitem')
    .getByRole('heading')
    .allTextContents();
}

test.beforeAll(async ({ browser }) => {
  stack = await startKeysmithStack({ user: 'keysmith-e2e-life', scratch: 'e2e-lifecycle' });
  ({ user, keysmith, sshd, scratch } = stack);
  writeAuthorizedKeys(new Date());
  ({ context, page } = await openTab(browser, keysmith.origin, { viewport: VIEWPORT }));
});

test.afterAll(async () => {
  await context.close();
  await stack.stop();
});

test('60 keys fit in about four screens, with expiry words and details on demand', async () => {
  await page.goto(keysmith.signInUrl);
  await page.goto(`${keysmith.origin}/ssh-keys`);
  const list = page.getByRole('list', { name: 'SSH keys' });
  await expect(list.getByRole('listitem')).toHaveCount(60);
  await expect(page.getByRole('status').filter({ hasText: 'keys' })).toHaveText('60 keys');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height).toBeLessThanOrEqual(4 * VIEWPORT.height);

  await expect(list.getByRole('listitem', { name: 'deploy-ci' })).toContainText(
    'Expires in 10 days',
  );
  for (const name of expiredNames) {
    await expect(list.getByRole('listitem', { name, exact: true })).toContainText('Expired');
  }
  const deploy = list.getByRole('listitem', { name: 'deploy-ci' });
  await deploy.getByRole('button', { name: 'deploy-ci', exact: true }).click();
  await expect(deploy.getByLabel('Public key of deploy-ci')).toHaveText(deployKey.publicLine);
  await expect(deploy).toContainText('Restricted (no terminal, no forwarding) · from 127.0.0.1');
  await expectNoAxeViolations(page, 'key list of 60 keys, one row open');
  await deploy.getByRole('button', { name: 'deploy-ci', exact: true }).click();

  // The top of the list, one key's details open.
  const expiring = list.getByRole('listitem', { name: sampleKeyName(1) });
  await expiring.getByRole('button', { name: sampleKeyName(1), exact: true }).click();
  await expect(expiring.getByLabel(`Public key of ${sampleKeyName(1)}`)).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'e2e/screenshots/07-key-list.png' });
  await expiring.getByRole('button', { name: sampleKeyName(1), exact: true }).click();
});

test('search by name and by a piece of the fingerprint', async () => {
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('cluster');
  await expect.poll(rowNames).toHaveLength(9);
  expect((await rowNames()).every((name) => name.startsWith('cluster-'))).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'keys' })).toHaveText('9 of 60 keys');

  await search.fill(deployKey.fingerprint.slice(7, 19));
  await expect.poll(rowNames).toEqual(['deploy-ci']);
  await search.fill('');
  await expect.poll(rowNames).toHaveLength(60);
});

test('sort by name, newest and expiry', async () => {
  const sort = page.getByRole('combobox', { name: 'Sort by' });
  await sort.selectOption({ label: 'Name' });
  const byName = await rowNames();
  expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  expect(byName[0]).toBe('backup-03');

  await sort.selectOption({ label: 'Newest first' });
  expect((await rowNames()).slice(0, 2)).toEqual([sampleKeyName(58), sampleKeyName(57)]);
  expect((await rowNames()).at(-1)).toBe('deploy-ci');

  await sort.selectOption({ label: 'Expiring first' });
  const byExpiry = await rowNames();
  expect(byExpiry.slice(0, expiredNames.length).sort()).toEqual([...expiredNames].sort());
  await sort.selectOption({ label: 'Order in the file' });
});

test('"Remove expired keys" removes all expired keys after one confirmation', async () => {
  const count = expiredNames.length;
  await page.getByRole('button', { name: `Remove expired keys (${count})` }).click();
  const dialog = page.getByRole('alertdialog', { name: `Remove ${count} expired keys?` });
  await expect(
    dialog.getByRole('list', { name: 'Keys to remove' }).getByRole('listitem'),
  ).toHaveCount(count);
  await expectNoAxeViolations(page, 'remove expired keys');
  await dialog.getByRole('button', { name: `Remove ${count} expired keys` }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'SSH keys' }).getByRole('listitem')).toHaveCount(
    60 - count,
  );
  await expect(page.getByRole('button', { name: /Remove expired keys/ })).toHaveCount(0);
  const text = fileText();
  for (const name of expiredNames) expect(text).not.toContain(` ${name}\n`);
  expect(text).toContain(deployKey.publicLine);
});

test('Replace: the new key logs in, and once removed the old one no longer does', async () => {
  expect((await sshd.tryLogin(user.name, deployKey.privatePath)).ok).toBe(true);

  await page.getByRole('button', { name: 'Replace deploy-ci' }).click();
  const form = page.getByRole('dialog', { name: 'Replace SSH key "deploy-ci"' });
  await expect(form.getByLabel('The new key')).toContainText('Restricted');
  await expect(form.getByLabel('The new key')).toContainText('from 127.0.0.1');
  await expectNoAxeViolations(page, 'Replace dialog');
  await form.getByRole('button', { name: 'Generate New Key' }).click();

  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  // Both keys are in the file until the old one is removed.
  const newLine = fileText()
    .split('\n')
    .filter((line) => line.endsWith(' deploy-ci') && !line.includes(deployKey.publicLine));
  expect(newLine).toHaveLength(1);
  expect(newLine[0]).toMatch(/^restrict,from="127\.0\.0\.1",expiry-time="\d{14}Z" ssh-ed25519 /);
  expect(fileText()).toContain(deployKey.publicLine);

  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  const privateKey = await page.evaluate(() => navigator.clipboard.readText());
  const newKeyFile = join(scratch, 'deploy-ci-new');
  writeFileSync(newKeyFile, privateKey, { mode: 0o600 });
  expect((await sshd.tryLogin(user.name, newKeyFile)).ok).toBe(true);
  expect((await sshd.tryLogin(user.name, deployKey.privatePath)).ok).toBe(true);

  await generated.getByRole('button', { name: 'Remove Old Key…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Remove the old key "deploy-ci"?' });
  await expect(confirm).toContainText(deployKey.fingerprint);
  await confirm.getByRole('button', { name: 'Remove Old Key' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(generated).toHaveCount(0);

  expect(fileText()).not.toContain(deployKey.publicLine);
  await expect(page.getByRole('listitem', { name: 'deploy-ci' })).toHaveCount(1);
  await expect(page.getByRole('listitem', { name: 'deploy-ci' })).toContainText(
    /Expires \d{4}-\d{2}-\d{2}/,
  );
  const refused = await sshd.tryLogin(user.name, deployKey.privatePath);
  expect(refused.ok).toBe(false);
  expect(refused.output).toContain('Permission denied');
  expect((await sshd.tryLogin(user.name, newKeyFile)).ok).toBe(true);
});
