import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createSessionCodec } from '../src/server/auth/oidc-session.ts';
import { loadSessionKey } from '../src/server/auth/session-cookie.ts';
import { ensureTestUser, resetSshDir, type TestUser } from '../src/testing/sshd.ts';
import { startOidcKeysmith, type OidcKeysmith } from './fixtures/oidc-keysmith.ts';

// Keysmith as root with --auth oidc, two replicas sharing one session key, a real OpenID
// Connect provider, one browser context for the signed-in story, in order.
test.describe.configure({ mode: 'serial' });

let user: TestUser;
let oidc: OidcKeysmith;
let origin: string;
let replica: string;
let context: BrowserContext;
let page: Page;
let sessionCookie = '';
const privateKeys: string[] = [];

/** Fills the provider's development login form with `login` (any password). */
async function providerLogin(target: Page, login: string) {
  await expect(target).toHaveURL(new RegExp(`^${oidc.provider.issuer}/interaction/`));
  await target.getByPlaceholder('Enter any login').fill(login);
  await target.getByPlaceholder('and password').fill('any password');
  await target.getByRole('button', { name: 'Sign-in' }).click();
}

function api(path: string, init: { method?: string; cookie: string; origin?: string }) {
  return fetch(`${origin}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Cookie: `keysmith-session=${init.cookie}`,
      ...(init.origin === undefined ? {} : { Origin: init.origin }),
      'Content-Type': 'application/json',
    },
    ...(init.method === 'POST' ? { body: '{"publicKey":"ssh-ed25519 AAAA"}' } : {}),
    signal: AbortSignal.timeout(10_000),
  });
}

test.beforeAll(async ({ browser }) => {
  user = ensureTestUser('keysmith-o2');
  resetSshDir(user);
  oidc = await startOidcKeysmith(2);
  [origin = '', replica = ''] = oidc.origins;
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
  await oidc.stop();
  resetSshDir(user);
});

test('a page without a session goes to the provider; signing in there comes back to it', async () => {
  await page.goto(`${origin}/ssh-keys`);
  await providerLogin(page, user.name);
  await expect(page).toHaveURL(`${origin}/ssh-keys`);
  await expect(page.getByRole('button', { name: `Profile menu: ${user.name}` })).toBeVisible();
  await expect(page.getByText('No SSH keys found')).toBeVisible();

  const cookies = await context.cookies(origin);
  const session = cookies.find((cookie) => cookie.name === 'keysmith-session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  sessionCookie = session?.value ?? '';
  expect(cookies.some((cookie) => cookie.name === 'keysmith-login')).toBe(false);
});

test("a key made in the page lands in the user's own file, owned by them", async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('oidc-laptop');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  privateKeys.push(await page.evaluate(() => navigator.clipboard.readText()));
  const publicKey = (await generated.getByLabel('Public key').textContent()) ?? '';
  await page.keyboard.press('Escape');
  await expect(page.getByRole('listitem', { name: 'oidc-laptop' })).toBeVisible();

  const file = join(user.home, '.ssh', 'authorized_keys');
  expect(readFileSync(file, 'utf8')).toContain(publicKey.split(' ')[1] ?? 'none');
  expect(statSync(file).uid).toBe(user.uid);
  expect(statSync(join(user.home, '.ssh')).uid).toBe(user.uid);
});

test('a second replica with the same session key serves the same session', async () => {
  const response = await fetch(`${replica}/api/me`, {
    headers: { Cookie: `keysmith-session=${sessionCookie}` },
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ user: user.name, mode: 'oidc' });
});

test('a tampered, expired or foreign session cookie is refused', async () => {
  const flipped = `${sessionCookie.slice(0, 30)}${sessionCookie[30] === 'A' ? 'B' : 'A'}${sessionCookie.slice(31)}`;
  const key = loadSessionKey(oidc.sessionKeyFile);
  const past = new Date(Date.now() - 9 * 3600_000);
  const expired = createSessionCodec({ key, hours: 8, secure: false, now: () => past })
    .issue(user.name)
    .split(';')[0]
    ?.replace(/^keysmith-session=/, '');
  const foreign = createSessionCodec({
    key: new Uint8Array(48).fill(7),
    hours: 8,
    secure: false,
    now: () => new Date(),
  })
    .issue(user.name)
    .split(';')[0]
    ?.replace(/^keysmith-session=/, '');
  for (const [what, cookie] of [
    ['tampered', flipped],
    ['expired', expired ?? ''],
    ['foreign', foreign ?? ''],
  ] as const) {
    const response = await api('/api/me', { cookie });
    expect(response.status, what).toBe(401);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/sign in again/);
  }

  // In the browser, such a cookie is no session: the page goes to the provider.
  const other = await context.browser()?.newContext();
  if (other === undefined) throw new Error('no browser');
  try {
    await other.addCookies([{ name: 'keysmith-session', value: flipped, url: origin }]);
    const tab = await other.newPage();
    await tab.goto(`${origin}/ssh-keys`);
    await expect(tab).toHaveURL(new RegExp(`^${oidc.provider.issuer}/interaction/`));
  } finally {
    await other.close();
  }
});

test('a change from another origin is refused, even with the session cookie', async () => {
  const before = readFileSync(join(user.home, '.ssh', 'authorized_keys'), 'utf8');
  const response = await api('/api/ssh-keys', {
    method: 'POST',
    cookie: sessionCookie,
    origin: oidc.provider.issuer,
  });
  expect(response.status).toBe(403);
  // A page of another port of 127.0.0.1 is same-site, so the browser sends the Lax cookie
  // along: only the Origin check stops this simple (no preflight) request.
  const tab = await context.newPage();
  try {
    await tab.goto(`${oidc.provider.issuer}/.well-known/openid-configuration`);
    // The request goes out; Keysmith's Cross-Origin-Resource-Policy then hides the answer.
    await tab.evaluate(async (target) => {
      await fetch(`${target}/api/ssh-keys`, {
        method: 'POST',
        mode: 'no-cors',
        credentials: 'include',
        headers: { 'Content-Type': 'text/plain' },
        body: '{"publicKey":"ssh-ed25519 AAAA cross"}',
      }).catch(() => undefined);
    }, origin);
  } finally {
    await tab.close();
  }
  expect(readFileSync(join(user.home, '.ssh', 'authorized_keys'), 'utf8')).toBe(before);
});

test('root and an unknown user are refused with a page that says why', async () => {
  for (const [login, why] of [
    ['root', 'does not manage keys of root or system accounts'],
    ['keysmith-no-such-user', 'There is no local account "keysmith-no-such-user"'],
  ] as const) {
    const other = await context.browser()?.newContext();
    if (other === undefined) throw new Error('no browser');
    try {
      const tab = await other.newPage();
      await tab.goto(`${origin}/`);
      await providerLogin(tab, login);
      await expect(
        tab.getByRole('heading', { name: 'Keysmith cannot serve this account' }),
      ).toBeVisible();
      await expect(tab.getByText(why)).toBeVisible();
      await expect(tab.getByRole('link', { name: 'Sign in with another account' })).toBeVisible();
      const cookies = await other.cookies(origin);
      expect(cookies.some((cookie) => cookie.name === 'keysmith-session')).toBe(false);
    } finally {
      await other.close();
    }
  }
});

test('sign out ends the session here and at the provider', async () => {
  await page.getByRole('button', { name: `Profile menu: ${user.name}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  // The provider asks to confirm its own sign-out (its end_session_endpoint).
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page).toHaveURL(`${origin}/auth/signed-out`);
  await expect(page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
  const cookies = await context.cookies(origin);
  expect(cookies.some((cookie) => cookie.name === 'keysmith-session')).toBe(false);
  // Signed out at the provider too: the way back in asks for the login again.
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await expect(page).toHaveURL(new RegExp(`^${oidc.provider.issuer}/interaction/`));
  await expect(page.getByPlaceholder('Enter any login')).toBeVisible();
});

test('the audit log has the add, by that user, and no secret', () => {
  const log = readFileSync(oidc.auditLog, 'utf8');
  const events = log
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(events).toContainEqual(
    expect.objectContaining({ user: user.name, action: 'add', name: 'oidc-laptop', result: 'ok' }),
  );
  // The two cross-origin adds (one from a script, one from a page in the browser).
  const refused = events.filter(
    (event) => event.action === 'add' && event.result === 'refused' && event.status === 403,
  );
  expect(refused).toHaveLength(2);
  expect(log).not.toContain(sessionCookie);
  expect(log).not.toContain(oidc.clientSecret);
  expect(log).not.toContain(readFileSync(oidc.sessionKeyFile, 'utf8').trim());
  for (const privateKey of privateKeys) {
    for (const line of privateKey.split('\n').filter((text) => text.length > 20)) {
      expect(log).not.toContain(line);
    }
  }
});
