/**
 * Interop with the real sshd: keys written through the API (proxy mode as root, so every write
 * runs as the test user in a child process) are what sshd accepts or refuses, StrictModes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths } from '../api/ssh-keys.ts';
import { addKey } from './authorized-keys-file.ts';
import { startServer, type RunningServer } from './node-server.ts';
import { httpRequest } from './test/http.ts';
import { makeTestKey, type TestKey } from './test/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  startSshd,
  type RunningSshd,
  type TestUser,
} from './test/sshd.ts';

let user: TestUser;
let keysDir: string;
let server: RunningServer;
let sshd: RunningSshd;
const keys: Record<string, TestKey> = {};

function key(name: string): TestKey {
  const found = keys[name];
  if (found === undefined) throw new Error(`no test key ${name}`);
  return found;
}

function authorizedKeysPath(): string {
  return path.join(user.home, '.ssh', 'authorized_keys');
}

function api(method: string, urlPath: string, body?: unknown) {
  return httpRequest({
    port: server.port,
    method,
    path: urlPath,
    headers: {
      'X-Forwarded-User': user.name,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function addThroughApi(name: string, extra: Record<string, unknown> = {}) {
  const response = await api('POST', apiPaths.sshKeys, {
    publicKey: key(name).publicLine,
    ...extra,
  });
  expect(response.status, response.body).toBe(201);
}

async function removeThroughApi(name: string) {
  const response = await api('DELETE', apiPaths.sshKey(key(name).fingerprint));
  expect(response.status, response.body).toBe(204);
}

async function expectLogin(name: string, ok: boolean) {
  const result = await sshd.tryLogin(user.name, key(name).privatePath);
  expect(result.ok, `login with key ${name}: ${result.output}\n${sshd.log().slice(-2000)}`).toBe(
    ok,
  );
}

beforeAll(async () => {
  user = ensureTestUser('keysmith-t1');
  resetSshDir(user);
  keysDir = makeTestDir('keys');
  fs.chmodSync(keysDir, 0o700);
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) keys[name] = makeTestKey(keysDir, name);
  keys.r = makeTestKey(keysDir, 'r', { type: 'rsa' });
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    auth: 'proxy',
    userHeader: 'X-Forwarded-User',
    trustedProxies: ['127.0.0.1'],
    publicUrl: 'https://keys.example.org',
    authorizedKeys: '%h/.ssh/authorized_keys',
    minUid: 1000,
    staticDir: null,
  });
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd.stop();
  await server.close();
  fs.rmSync(keysDir, { recursive: true, force: true });
  resetSshDir(user);
});

describe('a real sshd (StrictModes yes) reading files Keysmith wrote', () => {
  it('refuses a key before it is added', async () => {
    await expectLogin('a', false);
  });

  it('accepts a key added through the API; the file and ~/.ssh belong to the user, 0600/0700', async () => {
    await addThroughApi('a', { name: 'first' });
    await expectLogin('a', true);
    expect(sshd.log()).toContain(`Accepted publickey for ${user.name} from 127.0.0.1 port`);
    expect(sshd.log()).toContain(key('a').fingerprint);
    const file = fs.statSync(authorizedKeysPath());
    const dir = fs.statSync(path.dirname(authorizedKeysPath()));
    expect([file.uid, file.gid, file.mode & 0o7777]).toEqual([user.uid, user.gid, 0o600]);
    expect([dir.uid, dir.gid, dir.mode & 0o7777]).toEqual([user.uid, user.gid, 0o700]);
  });

  it('keeps accepting after a write to a file with foreign lines, CRLF and no final newline', async () => {
    const file = authorizedKeysPath();
    const foreign = `# managed by hand\r\n\r\nfrom="10.9.9.9" ${key('r').publicLine}\r\n# no final newline`;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8') + foreign);
    const before = fs.readFileSync(file, 'utf8');
    await addThroughApi('b', { access: 'interactive', name: 'second' });
    const after = fs.readFileSync(file, 'utf8');
    expect(after.startsWith(`${before}\n`)).toBe(true);
    await expectLogin('a', true);
    await expectLogin('b', true);
  });

  it('refuses a key after DELETE, and still accepts the others', async () => {
    await removeThroughApi('a');
    await expectLogin('a', false);
    await expectLogin('b', true);
    expect(fs.readFileSync(authorizedKeysPath(), 'utf8')).not.toContain('name=first');
  });

  it('refuses a key whose from= does not match, accepts one that matches', async () => {
    await addThroughApi('c', { from: ['10.9.9.9'] });
    await expectLogin('c', false);
    expect(sshd.log()).toContain('with correct key but not from a permitted host');
    await addThroughApi('d', { from: ['10.9.9.9', '127.0.0.1'] });
    await expectLogin('d', true);
    await expectLogin('b', true);
  });

  it('refuses a key whose expiry-time has passed, accepts one that has not', async () => {
    const file = authorizedKeysPath();
    // Written through the model with a clock in the past: the API refuses past expiries.
    const { text } = addKey(
      fs.readFileSync(file, 'utf8'),
      { publicKey: key('e').publicLine, expiresAt: '2021-01-01T00:00:00Z' },
      new Date('2020-12-31T00:00:00Z'),
    );
    fs.writeFileSync(file, text);
    await expectLogin('e', false);
    // Refused although the line is there: for its expiry alone.
    expect(fs.readFileSync(file, 'utf8')).toContain(
      `restrict,expiry-time="20210101000000Z" ${key('e').publicLine}\n`,
    );
    await addThroughApi('f', { expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    await expectLogin('f', true);
    await expectLogin('b', true);
  });

  it('accepts a full-access key and still accepts the others after more deletes', async () => {
    await addThroughApi('g', { access: 'full' });
    await expectLogin('g', true);
    await removeThroughApi('c');
    await removeThroughApi('r');
    await expectLogin('b', true);
    await expectLogin('d', true);
    await expectLogin('g', true);
    const text = fs.readFileSync(authorizedKeysPath(), 'utf8');
    expect(text).toContain('# managed by hand\r\n\r\n# no final newline\n');
    expect(sshd.log()).not.toContain('bad ownership or modes');
  });
});
