/**
 * Access: every route × every refusal, over real servers. Local mode: no token, a wrong or
 * malformed token, the right token in a cookie (never read) or in an API query string, a foreign
 * Host (DNS rebinding) with a valid token, a bearer change from another origin. Proxy mode (as
 * root, two real users): a connection from an untrusted address, no user header, user names
 * carrying path traversal, `%`-tokens, separators, system accounts or U+00A0, a change from
 * any origin but `--public-url`'s (also one Host or X-Forwarded-Host names), and one user
 * reaching for another's file. Each refusal answers 401/403 with the error shape, shows
 * nothing of the file, and leaves the file byte-identical.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeConfig, proxyModeConfig } from '../server-config.ts';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import { startServer, type RunningServer } from '../../server/node/node-server.ts';
import { httpRequest, type TestResponse } from '../http.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  type TestUser,
  authorizedKeysOf as fileOf,
} from '../sshd.ts';
import { freshKeys, type FreshKey } from './fresh-keys.ts';
import { captureConsole, createSecretScanner } from './secret-scan.ts';
import { createSummary } from './summary-table.ts';

const summary = createSummary('access');
const secrets = createSecretScanner();
let restoreConsole: () => void = () => undefined;
const token = 'access-token-5be81c0d37a9f246';
let keys: FreshKey[];
let local: RunningServer;
let proxy: RunningServer;
let home: string;
let alice: TestUser;
let bob: TestUser;

function key(index: number): FreshKey {
  const found = keys[index];
  if (found === undefined) throw new Error(`no key ${index}`);
  return found;
}

interface Route {
  label: string;
  method: string;
  path: string;
  body?: string;
  changes: boolean;
}

/** Every route of the API, plus an unknown one and a wrong method, and the page. */
function routes(): Route[] {
  const body = JSON.stringify({ publicKey: key(3).publicLine, name: 'intruder' });
  return [
    { label: 'GET /api/me', method: 'GET', path: apiPaths.me, changes: false },
    { label: 'GET /api/policy', method: 'GET', path: apiPaths.policy, changes: false },
    { label: 'GET /api/ssh-keys', method: 'GET', path: apiPaths.sshKeys, changes: false },
    { label: 'POST /api/ssh-keys', method: 'POST', path: apiPaths.sshKeys, body, changes: true },
    {
      label: 'DELETE /api/ssh-keys/{fp}',
      method: 'DELETE',
      path: apiPaths.sshKey(key(0).fingerprint),
      changes: true,
    },
    { label: 'PUT /api/ssh-keys', method: 'PUT', path: apiPaths.sshKeys, body, changes: true },
    { label: 'GET /api/unknown', method: 'GET', path: '/api/unknown', changes: false },
  ];
}

const PAGE: Route = { label: 'GET / (page)', method: 'GET', path: '/', changes: false };

interface Refusal {
  label: string;
  headers: (port: number) => Record<string, string>;
  /** Appended to the path (e.g. a query string). */
  query?: string;
  localAddress?: string;
  /** Only state-changing routes are refused for this reason (safe reads are allowed). */
  changesOnly?: boolean;
  /** The page is refused too. */
  page?: boolean;
  /** The summary row, when several refusals share one. */
  row?: string;
  status: 401 | 403;
}

function localRefusals(): Refusal[] {
  const bearer = { Authorization: `Bearer ${token}` };
  return [
    { label: 'no token', headers: () => ({}), status: 401 },
    {
      label: 'wrong bearer token',
      headers: () => ({ Authorization: 'Bearer wrong-token-0123456789' }),
      status: 401,
    },
    {
      label: 'token with a suffix',
      headers: () => ({ Authorization: `Bearer ${token}x` }),
      status: 401,
    },
    {
      label: 'Basic instead of Bearer',
      headers: () => ({ Authorization: `Basic ${token}` }),
      status: 401,
    },
    {
      label: 'bearer with a second word',
      headers: () => ({ Authorization: `Bearer ${token} ${token}` }),
      status: 401,
    },
    {
      label: 'the token in the old sign-in cookie',
      headers: (port) => ({ Cookie: `keysmith-${port}=${token}` }),
      status: 401,
    },
    {
      label: 'the token in a cookie of another name',
      headers: () => ({ Cookie: `token=${token}; keysmith=${token}` }),
      status: 401,
    },
    {
      label: 'token in the API query string',
      headers: () => ({}),
      query: `?token=${token}`,
      status: 401,
    },
    {
      label: 'foreign Host with the token',
      headers: (port) => ({ ...bearer, Host: `evil.example:${port}` }),
      page: true,
      status: 403,
    },
    {
      label: 'loopback-looking foreign Host',
      headers: (port) => ({ ...bearer, Host: `127.0.0.1.nip.io:${port}` }),
      page: true,
      status: 403,
    },
    {
      label: 'Host without the port',
      headers: () => ({ ...bearer, Host: '127.0.0.1' }),
      page: true,
      status: 403,
    },
    {
      label: 'Host with another port',
      headers: (port) => ({ ...bearer, Host: `localhost:${port + 1}` }),
      page: true,
      status: 403,
    },
    {
      label: 'bearer change from another origin',
      headers: () => ({ ...bearer, Origin: 'http://evil.example' }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'bearer change from another port of 127.0.0.1',
      headers: (port) => ({ ...bearer, Origin: `http://127.0.0.1:${port + 1}` }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'bearer change with Origin null',
      headers: () => ({ ...bearer, Origin: 'null' }),
      changesOnly: true,
      status: 403,
    },
  ];
}

const SMUGGLED_NAMES = [
  '../keysmith-a2',
  'keysmith-a1/../keysmith-a2',
  '..',
  '%u',
  '%h',
  'keysmith-a1%',
  '%2e%2e',
  'keysmith-a1%2f..',
  'keysmith-a1,keysmith-a2',
  'keysmith-a1 keysmith-a2',
  '~keysmith-a2',
  '$(id)',
  'KEYSMITH-A1',
  'root',
  'daemon',
  'nobody',
  'keysmith-no-such-user',
  '-keysmith-a1',
  'a'.repeat(40),
];

function proxyRefusals(): Refusal[] {
  const as = (user: string) => ({ 'X-Forwarded-User': user });
  return [
    {
      label: 'connection from an untrusted address',
      headers: () => as(alice.name),
      localAddress: '127.0.0.2',
      page: true,
      status: 403,
    },
    { label: 'no user header', headers: () => ({}), status: 401 },
    { label: 'empty user header', headers: () => as(''), status: 401 },
    ...SMUGGLED_NAMES.map((name): Refusal => ({
      label: `user name ${JSON.stringify(name)}`,
      row: `user names with traversal, %-tokens, separators, system or unknown accounts (${SMUGGLED_NAMES.length} names)`,
      headers: () => as(name),
      status: 403,
    })),
    {
      label: 'change from another origin',
      headers: () => ({ ...as(alice.name), Origin: 'https://evil.example' }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'change from another origin named in X-Forwarded-Host',
      headers: () => ({
        ...as(alice.name),
        Origin: 'https://evil.example',
        'X-Forwarded-Host': 'evil.example',
      }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'change from the origin of the Host header, not of --public-url',
      headers: (port) => ({ ...as(alice.name), Origin: `http://127.0.0.1:${port}` }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'change with Origin null',
      headers: () => ({ ...as(alice.name), Origin: 'null' }),
      changesOnly: true,
      status: 403,
    },
    {
      label: 'user name wrapped in U+00A0',
      headers: () => as(`\u00A0${alice.name}\u00A0`),
      status: 403,
    },
  ];
}

function snapshot(files: readonly string[]): string[] {
  return files.map((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'base64') : '<none>'));
}

/** Sends every applicable route with one refusal; returns the failures. */
async function refuseAll(
  mode: string,
  server: RunningServer,
  refusal: Refusal,
  files: readonly string[],
  secretsInFiles: readonly string[],
): Promise<string[]> {
  const failures: string[] = [];
  const list = [...routes(), ...(refusal.page === true ? [PAGE] : [])].filter(
    (route) => refusal.changesOnly !== true || route.changes,
  );
  for (const route of list) {
    const before = snapshot(files);
    let response: TestResponse;
    try {
      response = await httpRequest({
        port: server.port,
        method: route.method,
        path: `${route.path}${refusal.query ?? ''}`,
        headers: {
          ...refusal.headers(server.port),
          ...(route.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(route.body === undefined ? {} : { body: route.body }),
        ...(refusal.localAddress === undefined ? {} : { localAddress: refusal.localAddress }),
      });
    } catch (error) {
      failures.push(`${route.label}: ${String(error)}`);
      summary.count(`${mode}: ${refusal.row ?? refusal.label}`, false);
      continue;
    }
    secrets.capture(`${mode} ${refusal.label} ${route.label}`, response.body);
    const problems: string[] = [];
    if (response.status !== refusal.status) problems.push(`status ${response.status}`);
    if (route !== PAGE) {
      const parsed = errorResponseSchema.safeParse(JSON.parse(response.body));
      const code = refusal.status === 401 ? 'unauthorized' : 'forbidden';
      if (!parsed.success || parsed.data.error.code !== code) problems.push('wrong error body');
    }
    if (secretsInFiles.some((text) => response.body.includes(text))) problems.push('shows keys');
    if (snapshot(files).join() !== before.join()) problems.push('file changed');
    if (!summary.count(`${mode}: ${refusal.row ?? refusal.label}`, problems.length === 0)) {
      failures.push(`${route.label}: ${problems.join(', ')} — ${response.body.slice(0, 200)}`);
    }
  }
  return failures;
}

beforeAll(async () => {
  keys = await freshKeys(4, 'access');
  secrets.secret('sign-in token', token);
  restoreConsole = captureConsole(secrets, 'server');
  home = makeTestDir('access');
  const file = path.join(home, '.ssh', 'authorized_keys');
  fs.mkdirSync(path.dirname(file), { mode: 0o700 });
  fs.writeFileSync(file, `# local\n${key(0).publicLine}\n`, { mode: 0o600 });
  local = await startServer(localModeConfig(token, home));
  alice = ensureTestUser('keysmith-a1');
  bob = ensureTestUser('keysmith-a2');
  for (const [user, index] of [
    [alice, 0],
    [bob, 1],
  ] as const) {
    resetSshDir(user);
    const own = path.join(user.home, '.ssh', 'authorized_keys');
    fs.mkdirSync(path.dirname(own), { mode: 0o700 });
    fs.writeFileSync(own, `# ${user.name}\n${key(index).publicLine}\n`, { mode: 0o600 });
    fs.chownSync(path.dirname(own), user.uid, user.gid);
    fs.chownSync(own, user.uid, user.gid);
  }
  proxy = await startServer(proxyModeConfig());
}, 60_000);

afterAll(async () => {
  await local.close();
  await proxy.close();
  fs.rmSync(home, { recursive: true, force: true });
  resetSshDir(alice);
  resetSshDir(bob);
  restoreConsole();
  const found = secrets.findings();
  summary.count(`no secret in ${secrets.captured()} captured bodies`, found.length === 0);
  summary.finish();
  expect(found).toEqual([]);
});

describe('local mode: every route refuses', () => {
  for (const refusal of localRefusals()) {
    it(refusal.label, async () => {
      const file = path.join(home, '.ssh', 'authorized_keys');
      const failures = await refuseAll(
        'local',
        local,
        refusal,
        [file],
        [key(0).publicLine.split(' ')[1] ?? '', key(0).fingerprint],
      );
      expect(failures).toEqual([]);
    });
  }

  it('and lets the token in (the refusals are not vacuous)', async () => {
    const response = await httpRequest({
      port: local.port,
      path: apiPaths.sshKeys,
      headers: { Authorization: `Bearer ${token}` },
    });
    secrets.capture('local list', response.body);
    expect(response.status).toBe(200);
    expect(response.body).toContain(key(0).fingerprint);
  });
});

describe('proxy mode: every route refuses', () => {
  for (const refusal of proxyRefusals()) {
    it(refusal.label, async () => {
      const failures = await refuseAll(
        'proxy',
        proxy,
        refusal,
        [fileOf(alice), fileOf(bob)],
        [key(0).fingerprint, key(1).fingerprint],
      );
      expect(failures).toEqual([]);
    });
  }
});

describe('proxy mode: a user never reaches another user’s file', () => {
  it('lists, deletes and adds only in the user’s own file', async () => {
    const as = (user: TestUser, method: string, urlPath: string, body?: unknown) =>
      httpRequest({
        port: proxy.port,
        method,
        path: urlPath,
        headers: {
          'X-Forwarded-User': user.name,
          Origin: 'https://keys.example.org',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const aliceBefore = fs.readFileSync(fileOf(alice));
    const list = await as(bob, 'GET', apiPaths.sshKeys);
    secrets.capture('bob list', list.body);
    const parsed = listKeysResponseSchema.parse(JSON.parse(list.body));
    const listOwn = summary.count(
      'proxy: another user’s keys never listed',
      parsed.path === fileOf(bob) &&
        parsed.keys.map((k) => k.fingerprint).join() === key(1).fingerprint,
    );
    const removed = await as(bob, 'DELETE', apiPaths.sshKey(key(0).fingerprint));
    const deleteOwn = summary.count(
      'proxy: another user’s key never deleted',
      removed.status === 404 && fs.readFileSync(fileOf(alice)).equals(aliceBefore),
    );
    const added = await as(bob, 'POST', apiPaths.sshKeys, { publicKey: key(2).publicLine });
    const addOwn = summary.count(
      'proxy: a key is added to the asker’s file only',
      added.status === 201 &&
        fs.readFileSync(fileOf(alice)).equals(aliceBefore) &&
        fs.readFileSync(fileOf(bob), 'utf8').includes(key(2).publicLine),
    );
    expect([listOwn, deleteOwn, addOwn]).toEqual([true, true, true]);
  });
});
