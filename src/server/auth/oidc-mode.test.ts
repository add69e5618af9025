/**
 * OIDC mode as root against a real OpenID Connect provider (oidc-provider) on 127.0.0.1: the
 * whole sign-in (authorization code, PKCE, state, nonce) through its login form, the refusals,
 * the session cookie across replicas, the Origin rule and sign-out.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, errorResponseSchema, meResponseSchema } from '../../api/ssh-keys.ts';
import {
  startServer,
  type OidcConfig,
  type RunningServer,
  type ServerConfig,
} from '../node/node-server.ts';
import { httpRequest, type TestResponse } from '../../testing/http.ts';
import { startOidcProvider, type TestOidcProvider } from '../../testing/oidc-provider.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';
import { ensureTestUser, makeTestDir, resetSshDir, type TestUser } from '../../testing/sshd.ts';

// The address people open Keysmith at; the requests themselves go to the test's port.
const PUBLIC_URL = 'https://keys.example.org';
const SESSION = '__Host-keysmith-session';

let user: TestUser;
let provider: TestOidcProvider;
let server: RunningServer;
let replica: RunningServer;
let mailReplica: RunningServer;
let dir: string;
let key: TestKey;
const sessionKey = randomBytes(48);

function oidcConfig(overrides: Partial<OidcConfig> = {}): OidcConfig {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    userClaim: 'preferred_username',
    sessionKey,
    sessionHours: 8,
    ...overrides,
  };
}

function config(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    auth: 'oidc',
    userHeader: 'X-Forwarded-User',
    trustedProxies: [],
    publicUrl: PUBLIC_URL,
    authorizedKeys: '%h/.ssh/authorized_keys',
    minUid: 1000,
    staticDir: null,
    oidc: oidcConfig(),
    ...overrides,
  };
}

/** Cookies as a browser keeps them for one site (paths ignored: every cookie goes back). */
class Jar {
  readonly cookies = new Map<string, string>();
  take(setCookies: readonly string[]): void {
    for (const setCookie of setCookies) {
      const [pair = '', ...attributes] = setCookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /1970/.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function setCookiesOf(response: TestResponse): string[] {
  const value = response.headers['set-cookie'];
  return value === undefined ? [] : value;
}

/** A request to a Keysmith server with the jar's cookies; keeps what it sets. */
async function toKeysmith(
  target: RunningServer,
  jar: Jar,
  method: string,
  urlPath: string,
  extra: { headers?: Record<string, string>; body?: string } = {},
): Promise<TestResponse> {
  const response = await httpRequest({
    port: target.port,
    method,
    path: urlPath,
    headers: { Cookie: jar.header(), ...extra.headers },
    ...(extra.body === undefined ? {} : { body: extra.body }),
  });
  jar.take(setCookiesOf(response));
  return response;
}

/** Follows the provider's redirects and fills its login form until it sends the browser back. */
async function throughProvider(start: string, login: string): Promise<URL> {
  const jar = new Jar();
  let url = new URL(start);
  let init: RequestInit = {};
  for (let step = 0; step < 10; step += 1) {
    if (url.origin === PUBLIC_URL) return url;
    expect(url.origin).toBe(provider.issuer);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { Cookie: jar.header(), ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(10_000),
    });
    jar.take(response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (location !== null) {
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined || !html.includes('name="login"')) {
      throw new Error(`unexpected page from the provider (${response.status}): ${html}`);
    }
    url = new URL(action, url);
    init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
    };
  }
  throw new Error('the provider never sent the browser back');
}

/** The whole sign-in as `login`; the answer of Keysmith's /auth/callback. */
async function signIn(
  target: RunningServer,
  login: string,
  jar = new Jar(),
): Promise<{ jar: Jar; callback: TestResponse }> {
  const start = await toKeysmith(target, jar, 'GET', '/auth/login?return=%2Fssh-keys');
  expect(start.status).toBe(302);
  const back = await throughProvider(start.headers.location ?? '', login);
  expect(back.pathname).toBe('/auth/callback');
  const callback = await toKeysmith(target, jar, 'GET', `${back.pathname}${back.search}`);
  return { jar, callback };
}

function errorOf(response: TestResponse) {
  return errorResponseSchema.parse(JSON.parse(response.body)).error;
}

function addKey(target: RunningServer, jar: Jar, origin: string | null) {
  return toKeysmith(target, jar, 'POST', apiPaths.sshKeys, {
    headers: {
      'Content-Type': 'application/json',
      ...(origin === null ? {} : { Origin: origin }),
    },
    body: JSON.stringify({ publicKey: key.publicLine, name: 'oidc-test' }),
  });
}

beforeAll(async () => {
  user = ensureTestUser('keysmith-o1');
  resetSshDir(user);
  dir = makeTestDir('oidc');
  fs.chmodSync(dir, 0o700);
  key = makeTestKey(dir, 'o1');
  provider = await startOidcProvider({ keysmithOrigins: [PUBLIC_URL] });
  server = await startServer(config());
  replica = await startServer(config());
  mailReplica = await startServer(
    config({
      oidc: oidcConfig({ userClaim: 'email', stripDomain: 'example.org' }),
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([server.close(), replica.close(), mailReplica.close()]);
  await provider.close();
  resetSshDir(user);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('without a session', () => {
  it('sends a page request to the sign-in, keeping where it was going', async () => {
    const response = await toKeysmith(server, new Jar(), 'GET', '/ssh-keys');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/auth/login?return=%2Fssh-keys');
  });

  it('answers the API with 401 and says to sign in again', async () => {
    const response = await toKeysmith(server, new Jar(), 'GET', apiPaths.me);
    expect(response.status).toBe(401);
    expect(errorOf(response).message).toMatch(/sign in again/);
  });

  it('starts the sign-in with PKCE S256, state and nonce, in a short-lived cookie for /auth', async () => {
    const response = await toKeysmith(server, new Jar(), 'GET', '/auth/login');
    const location = new URL(response.headers.location ?? '');
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/auth/callback`);
    expect(setCookiesOf(response)).toEqual([
      expect.stringMatching(
        /^__Secure-keysmith-login=[\w-]+; Path=\/auth; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
      ),
    ]);
  });

  it('refuses a callback without the sign-in cookie (another browser, or forged)', async () => {
    const response = await toKeysmith(server, new Jar(), 'GET', '/auth/callback?code=x&state=y');
    expect(response.status).toBe(400);
    expect(response.body).toContain('Sign in again');
  });
});

describe('signed in through the provider', () => {
  it('sets a sealed session cookie and returns to the page asked for', async () => {
    const { callback } = await signIn(server, user.name);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/ssh-keys');
    expect(setCookiesOf(callback)).toContainEqual(
      expect.stringMatching(
        /^__Host-keysmith-session=[\w-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/,
      ),
    );
  });

  it('serves the user, and a key added lands in their file, owned by them', async () => {
    resetSshDir(user);
    const { jar } = await signIn(server, user.name);
    const me = await toKeysmith(server, jar, 'GET', apiPaths.me);
    expect(meResponseSchema.parse(JSON.parse(me.body))).toEqual({
      user: user.name,
      mode: 'oidc',
      seqeraApis: [],
    });
    const page = await toKeysmith(server, jar, 'GET', '/ssh-keys');
    expect(page.status).toBe(404); // no static files in this test: past the gate
    const added = await addKey(server, jar, PUBLIC_URL);
    expect(added.status).toBe(201);
    const file = path.join(user.home, '.ssh', 'authorized_keys');
    expect(fs.readFileSync(file, 'utf8')).toContain(key.publicLine.split(' ')[1]);
    expect(fs.statSync(file).uid).toBe(user.uid);
  });

  it('refuses a change from another origin, or with no Origin, changing nothing', async () => {
    resetSshDir(user);
    const { jar } = await signIn(server, user.name);
    for (const origin of ['https://evil.example', 'null', 'http://keys.example.org', null]) {
      const response = await addKey(server, jar, origin);
      expect(response.status, String(origin)).toBe(403);
      expect(errorOf(response).message).toContain(PUBLIC_URL);
    }
    expect(fs.existsSync(path.join(user.home, '.ssh', 'authorized_keys'))).toBe(false);
  });

  it('is served by a second replica with the same session key, and by no other', async () => {
    const { jar } = await signIn(server, user.name);
    const me = await toKeysmith(replica, jar, 'GET', apiPaths.me);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ user: user.name, mode: 'oidc' });
    const foreign = await startServer(
      config({ oidc: oidcConfig({ sessionKey: randomBytes(48) }) }),
    );
    try {
      expect((await toKeysmith(foreign, jar, 'GET', apiPaths.me)).status).toBe(401);
    } finally {
      await foreign.close();
    }
  });

  it('refuses a tampered session cookie', async () => {
    const { jar } = await signIn(server, user.name);
    const value = jar.cookies.get(SESSION) ?? '';
    const flipped = `${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    const tampered = new Jar();
    tampered.cookies.set(SESSION, flipped);
    expect((await toKeysmith(server, tampered, 'GET', apiPaths.me)).status).toBe(401);
    const page = await toKeysmith(server, tampered, 'GET', '/ssh-keys');
    expect(page.status).toBe(302);
  });
});

describe('accounts that are refused', () => {
  it('refuses root with a page that says why', async () => {
    const { callback, jar } = await signIn(server, 'root');
    expect(callback.status).toBe(403);
    expect(callback.headers['content-type']).toMatch(/^text\/html/);
    expect(callback.body).toContain('does not manage keys of root or system accounts');
    expect(jar.cookies.has(SESSION)).toBe(false);
    // Its way on asks the provider for a new login rather than its session for root again.
    expect(callback.body).toContain('href="/auth/login?prompt=login"');
    const again = await toKeysmith(server, jar, 'GET', '/auth/login?prompt=login');
    expect(new URL(again.headers.location ?? '').searchParams.get('prompt')).toBe('login');
    const plain = await toKeysmith(server, jar, 'GET', '/auth/login');
    expect(new URL(plain.headers.location ?? '').searchParams.get('prompt')).toBeNull();
  });

  it('refuses an unknown user with a page that says what to do', async () => {
    const { callback, jar } = await signIn(server, 'keysmith-no-such-user');
    expect(callback.status).toBe(403);
    expect(callback.body).toContain('There is no local account &quot;keysmith-no-such-user&quot;');
    expect(callback.body).toContain('Ask your administrator');
    expect(jar.cookies.has(SESSION)).toBe(false);
  });

  it('refuses a name that is not a local user name, and escapes it in the page', async () => {
    const { callback } = await signIn(server, '<b>Eve</b>');
    expect(callback.status).toBe(403);
    expect(callback.body).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(callback.body).not.toContain('<b>Eve');
  });

  it('maps an e-mail style claim of the one configured domain, and refuses any other', async () => {
    const good = await signIn(mailReplica, user.name);
    expect(good.callback.status).toBe(303);
    const me = await toKeysmith(mailReplica, good.jar, 'GET', apiPaths.me);
    expect(JSON.parse(me.body)).toEqual({ user: user.name, mode: 'oidc' });
    const other = await signIn(mailReplica, `${user.name}@example.org.evil.example`);
    expect(other.callback.status).toBe(403);
    expect(other.callback.body).toContain('only accounts of example.org are served here');
    const plain = await signIn(server, `${user.name}@example.org`);
    expect(plain.callback.status).toBe(403);
    expect(plain.callback.body).toContain('--oidc-user-strip-domain');
  });
});

describe('sign out', () => {
  it('clears the cookie and ends the session at the provider', async () => {
    const { jar } = await signIn(server, user.name);
    const idCookie = jar.cookies.get(SESSION);
    const response = await toKeysmith(server, jar, 'POST', '/auth/logout', {
      headers: { Origin: PUBLIC_URL, Accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    const location = new URL((JSON.parse(response.body) as { location: string }).location);
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(
      `${PUBLIC_URL}/auth/signed-out`,
    );
    expect(location.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(idCookie).toBeDefined();
    expect(jar.cookies.has(SESSION)).toBe(false);
    expect((await toKeysmith(server, jar, 'GET', apiPaths.me)).status).toBe(401);
  });

  it('refuses a sign-out from another origin, keeping the session', async () => {
    const { jar } = await signIn(server, user.name);
    for (const origin of ['https://evil.example', 'null']) {
      const response = await toKeysmith(server, jar, 'POST', '/auth/logout', {
        headers: { Origin: origin },
      });
      expect(response.status).toBe(403);
    }
    expect((await toKeysmith(server, jar, 'GET', apiPaths.me)).status).toBe(200);
  });
});
