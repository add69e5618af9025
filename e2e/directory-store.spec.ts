import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import {
  LDAP_BIND_DN,
  LDAP_USER_BASE,
  startSlapd,
  type RunningSlapd,
} from '../src/testing/slapd.ts';
import { ensureTestUser, makeTestDir, type TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { startKeysmith, type RunningKeysmith } from './fixtures/keysmith-server.ts';

// The built server with --store ldap against a private slapd: the page adds and deletes a key
// in the user's directory entry, and says when every server sees the change.
test.describe.configure({ mode: 'serial' });

let user: TestUser;
let slapd: RunningSlapd;
let keysmith: RunningKeysmith;
let scratch: string;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  user = ensureTestUser('keysmith-e2edir');
  slapd = await startSlapd({
    names: [user.name],
    plainName: 'keysmith-e2edir-x',
    firstUid: 47_400,
  });
  scratch = makeTestDir('e2e-ldap');
  const passwordFile = join(scratch, 'bind-password');
  writeFileSync(passwordFile, `${slapd.bindPassword}\n`, { mode: 0o600 });
  chownSync(passwordFile, user.uid, user.gid);
  keysmith = await startKeysmith(user, [
    '--store',
    'ldap',
    '--ldap-url',
    slapd.url,
    '--ldap-bind-dn',
    LDAP_BIND_DN,
    '--ldap-bind-password-file',
    passwordFile,
    '--ldap-user-base',
    LDAP_USER_BASE,
    '--directory-cache-minutes',
    '30',
  ]);
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: keysmith.origin,
  });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
  await keysmith.stop();
  await slapd.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('the page adds a key to the directory entry, says when servers see it, and deletes it', async () => {
  const dn = slapd.users[0]?.dn ?? '';
  await page.goto(keysmith.signInUrl);
  await page.getByRole('button', { name: `Profile menu: ${user.name}` }).click();
  await page.getByRole('menuitem', { name: 'SSH Keys' }).click();
  await expect(page.getByText('No SSH keys found')).toBeVisible();
  await expect(page.getByText(`${dn} (sshPublicKey)`)).toBeVisible();

  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('dir-laptop');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toContainText(
    `The public key of "dir-laptop" is now in your entry in the site's directory. Hosts that fetched your keys before may take up to 30 minutes to accept it`,
  );
  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  await expect(generated.getByText('Copied').first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(generated).toHaveCount(0);

  const values = await slapd.values(dn);
  expect(values).toHaveLength(1);
  expect(values[0]).toMatch(
    /^restrict,expiry-time="\d{8}\S*" ssh-ed25519 \S+ dir-laptop # keysmith name=dir-laptop added=\S+Z$/,
  );
  await expect(page.getByRole('listitem', { name: 'dir-laptop' })).toBeVisible();
  await expect(page.getByRole('note')).toContainText(
    'a key you add or delete reaches every server within 30 minutes',
  );
  await expectNoAxeViolations(page, 'SSH Keys page with keys in a directory');

  await page.getByRole('button', { name: 'Delete dir-laptop' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete SSH key "dir-laptop"?' });
  // SSSD on each host keeps serving the deleted key until its cache expires.
  await expect(confirm).toContainText(
    "from your entry in the site's directory. Logins with it stop working on every host within 30 minutes, when SSSD's cache expires; your administrator can make it sooner.",
  );
  await expect(confirm).not.toContainText('at once');
  await confirm.getByRole('button', { name: 'Delete Key' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole('listitem', { name: 'dir-laptop' })).toHaveCount(0);
  expect(await slapd.values(dn)).toEqual([]);
});
