import { appendFileSync, mkdirSync, chownSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ensureTestUser, type TestUser } from '../src/testing/sshd.ts';
import { sshKeygen } from '../src/testing/ssh-keygen.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { startKeysmith, type RunningKeysmith } from './fixtures/keysmith-server.ts';

// Each test has its own server and a fresh browser context: a chunk in the HTTP cache of an
// earlier test would hide the failure under test.
let user: TestUser;
let keysmith: RunningKeysmith | null = null;

test.beforeAll(() => {
  user = ensureTestUser('keysmith-e2e');
});

test.afterEach(async () => {
  await keysmith?.stop();
  keysmith = null;
});

async function signedInPage(browser: Browser, server: RunningKeysmith): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(server.signInUrl);
  await page.goto(`${server.origin}/ssh-keys`);
  await expect(page.getByRole('heading', { level: 1, name: 'SSH Keys' })).toBeVisible();
  return page;
}

function addKeyToFile(server: RunningKeysmith, comment: string) {
  mkdirSync(dirname(server.authorizedKeys), { recursive: true, mode: 0o700 });
  chownSync(dirname(server.authorizedKeys), user.uid, user.gid);
  appendFileSync(server.authorizedKeys, `${sshKeygen('ed25519', comment).publicKey}\n`, {
    mode: 0o600,
  });
  chownSync(server.authorizedKeys, user.uid, user.gid);
}

test('a dialog chunk that answers 404 (a newer version is there) says to reload, and Reload works', async ({
  browser,
}) => {
  keysmith = await startKeysmith(user);
  const page = await signedInPage(browser, keysmith);
  await page.route('**/assets/import-key-dialog-*.js', (route) =>
    route.fulfill({ status: 404, body: 'Not found.' }),
  );
  await page.getByRole('button', { name: 'Import Key' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Keysmith was updated: reload the page.');
  await expect(page.getByRole('heading', { level: 1, name: 'SSH Keys' })).toBeVisible();
  await expectNoAxeViolations(page, 'chunk 404 notice');

  await page.unroute('**/assets/import-key-dialog-*.js');
  await alert.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('button', { name: 'Import Key' }).click();
  await expect(page.getByRole('dialog', { name: 'Import Key' })).toBeVisible();
  await page.context().close();
});

test('with the server stopped, "Import Key" says Keysmith is not reachable, with Retry', async ({
  browser,
}) => {
  keysmith = await startKeysmith(user);
  const page = await signedInPage(browser, keysmith);
  await keysmith.stop();
  keysmith = null;
  await page.getByRole('button', { name: 'Import Key' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(
    'Keysmith is not reachable: check that it is running, then try again.',
  );
  await expect(alert.getByRole('button', { name: 'Reload' })).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/09-server-not-reachable.png' });
  await expectNoAxeViolations(page, 'server not reachable notice');
  // Still down: Retry tries again and says so again, rather than leaving an empty page.
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('alert')).toContainText('Keysmith is not reachable');
  await page.context().close();
});

test('a delete while the server is down fails at once and says what to do', async ({ browser }) => {
  keysmith = await startKeysmith(user);
  addKeyToFile(keysmith, 'doomed');
  const page = await signedInPage(browser, keysmith);
  const remove = page.getByRole('button', { name: 'Delete doomed' });
  await remove.click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete SSH key "doomed"?' });
  await expect(confirm).toBeVisible();

  await keysmith.stop();
  keysmith = null;
  await confirm.getByRole('button', { name: 'Delete Key' }).click();
  // A refused connection is not retried: reported at once, not after seconds of backoff.
  await expect(confirm.getByRole('alert')).toHaveText(
    'Keysmith is not reachable: check that it is running, then try again.',
    { timeout: 2_500 },
  );
  await expect(confirm.getByRole('button', { name: 'Delete Key' })).toBeEnabled();
  await page.context().close();
});

test('a tab whose sign-in is no longer valid (a restart) says to open the new link, without Retry', async ({
  browser,
}) => {
  keysmith = await startKeysmith(user);
  const page = await signedInPage(browser, keysmith);
  // A restarted server has a new token: this tab's old one is refused with a 401.
  await page.evaluate(() => sessionStorage.setItem('keysmith-token', 'from-before-the-restart'));
  await page.reload();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(
    'Keysmith restarted, or this tab was opened from an old sign-in link: open the new link it printed in the terminal.',
  );
  await expect(alert).not.toContainText('Bearer');
  await expect(alert.getByRole('button', { name: 'Retry' })).toHaveCount(0);
  await page.context().close();
});

test('a wrong sign-in link gives the styled page that says the same', async ({ browser }) => {
  keysmith = await startKeysmith(user);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${keysmith.origin}/#token=wrong`);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Keysmith' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(
    'open the new link it printed in the terminal',
  );
  // Styled: the app's stylesheet applies (the alert box has its border and background).
  await expect(page.getByRole('alert')).toHaveCSS('border-top-style', 'solid');
  await expectNoAxeViolations(page, 'wrong sign-in link');
  await context.close();
});

test('a sign-in link opened through a forwarded port (ssh -L to another port) gives a styled page saying what to do', async ({
  browser,
}) => {
  keysmith = await startKeysmith(user);
  const target = new URL(keysmith.origin);
  // What `ssh -L OTHER:127.0.0.1:PORT` does: bytes passed on, the Host header names OTHER.
  const forward = createServer((client) => {
    const upstream = connect(Number(target.port), '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((listening) => forward.listen(0, '127.0.0.1', listening));
  const port = (forward.address() as AddressInfo).port;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const response = await page.goto(`http://127.0.0.1:${port}/#token=${keysmith.token}`);
    expect(response?.status()).toBe(403);
    await expect(
      page.getByRole('heading', { level: 1, name: 'Open the link Keysmith printed' }),
    ).toBeVisible();
    await expect(page.getByRole('main')).toContainText(
      `Forward the same port number: ssh -L ${target.port}:127.0.0.1:${target.port} HOST`,
    );
    await expect(page.getByRole('main')).toHaveCSS('border-top-style', 'solid');
    await expectNoAxeViolations(page, 'wrong port page');
  } finally {
    await context.close();
    forward.close();
  }
});
