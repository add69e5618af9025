/**
 * Proxy mode as root with two real users: the header is believed only from the trusted proxy,
 * each user reaches only their own file, and links planted by a user are never followed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import { startServer, type RunningServer } from '../node/node-server.ts';
import { createProxyAuth } from './proxy-auth.ts';
import { httpRequest, type TestResponse } from '../../testing/http.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  runAccountTool,
  type TestUser,
  authorizedKeysOf as fileOf,
} from '../../testing/sshd.ts';

// What the browser sends as Origin for a page opened at --public-url.
const PUBLIC_URL = 'https://keys.example.org';

let alice: TestUser;
let bob: TestUser;
let server: RunningServer;
let dir: string;
const keys: Record<string, TestKey> = {};

function key(name: string): TestKey {
  const found = keys[name];
  if (found === undefined) throw new Error(`no test key ${name}`);
  return found;
}

function as(
  user: string,
  method: string,
  urlPath: string,
  body?: unknown,
  extra: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<TestResponse> {
  return httpRequest({
    port: server.port,
    method,
    path: urlPath,
    headers: {
      'X-Forwarded-User': user,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...extra.headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(extra.localAddress === undefined ? {} : { localAddress: extra.localAddress }),
  });
}

function errorCode(response: TestResponse): string {
  return errorResponseSchema.parse(JSON.parse(response.body)).error.code;
}

beforeAll(async () => {
  alice = ensureTestUser('keysmith-p1');
  bob = ensureTestUser('keysmith-p2');
  resetSshDir(alice);
  resetSshDir(bob);
  dir = makeTestDir('proxy');
  fs.chmodSync(dir, 0o700);
  for (const name of ['a', 'b', 'c']) keys[name] = makeTestKey(dir, name);
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    auth: 'proxy',
    userHeader: 'X-Forwarded-User',
    trustedProxies: ['127.0.0.1'],
    publicUrl: PUBLIC_URL,
    authorizedKeys: '%h/.ssh/authorized_keys',
    minUid: 1000,
    staticDir: null,
  });
});

afterAll(async () => {
  await server.close();
  resetSshDir(alice);
  resetSshDir(bob);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('who may ask', () => {
  it('refuses every request not from the trusted proxy address, header or not', async () => {
    const response = await as(alice.name, 'GET', apiPaths.sshKeys, undefined, {
      localAddress: '127.0.0.2',
    });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('forbidden');
    const post = await as(
      alice.name,
      'POST',
      apiPaths.sshKeys,
      { publicKey: key('a').publicLine },
      {
        localAddress: '127.0.0.2',
      },
    );
    expect(post.status).toBe(403);
    expect(fs.existsSync(fileOf(alice))).toBe(false);
    const page = await as(alice.name, 'GET', '/ssh-keys', undefined, { localAddress: '127.0.0.2' });
    expect(page.status).toBe(403);
  });

  it('answers 401 without the user header', async () => {
    const response = await httpRequest({ port: server.port, path: apiPaths.me });
    expect(response.status).toBe(401);
  });

  it('refuses root, system accounts, nobody, unknown users and names that are not user names', async () => {
    for (const user of [
      'root',
      'daemon',
      'nobody',
      'keysmith-no-such-user',
      'Alice',
      '../etc',
      'a b',
      '-x',
    ]) {
      const response = await as(user, 'GET', apiPaths.sshKeys);
      expect(response.status, user).toBe(403);
      expect(errorCode(response)).toBe('forbidden');
    }
  });

  it('names the user from the header in /api/me', async () => {
    const response = await as(alice.name, 'GET', apiPaths.me);
    expect(JSON.parse(response.body)).toEqual({ user: alice.name, mode: 'proxy' });
  });

  it('refuses a cross-site change', async () => {
    const response = await as(
      alice.name,
      'POST',
      apiPaths.sshKeys,
      { publicKey: key('a').publicLine },
      {
        headers: { Origin: 'https://evil.example' },
      },
    );
    expect(response.status).toBe(403);
  });

  it('refuses a change whose Origin matches only headers the client chose (Host, X-Forwarded-Host)', async () => {
    const origins: Record<string, string>[] = [
      { Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example' },
      { Origin: `http://127.0.0.1:${server.port}` },
      { Origin: 'null' },
      { Origin: `${PUBLIC_URL}:8443` },
      { Origin: 'http://keys.example.org' },
    ];
    for (const headers of origins) {
      const response = await as(
        alice.name,
        'POST',
        apiPaths.sshKeys,
        { publicKey: key('c').publicLine },
        { headers },
      );
      expect(response.status, headers.Origin).toBe(403);
      expect(errorResponseSchema.parse(JSON.parse(response.body)).error.message).toContain(
        PUBLIC_URL,
      );
    }
    expect(fs.existsSync(fileOf(alice))).toBe(false);
  });

  it('accepts a change from the page itself, as a browser sends it (Origin of --public-url)', async () => {
    const headers = { Origin: PUBLIC_URL };
    const added = await as(
      alice.name,
      'POST',
      apiPaths.sshKeys,
      { publicKey: key('c').publicLine },
      { headers },
    );
    expect(added.status, added.body).toBe(201);
    const removed = await as(
      alice.name,
      'DELETE',
      apiPaths.sshKey(key('c').fingerprint),
      undefined,
      {
        headers,
      },
    );
    expect(removed.status, removed.body).toBe(204);
  });

  it('strips only spaces and tabs around the user name (RFC 9110 optional whitespace)', async () => {
    const padded = await as(` \t${alice.name}\t `, 'GET', apiPaths.me);
    expect(JSON.parse(padded.body)).toEqual({ user: alice.name, mode: 'proxy' });
    // U+00A0 as the proxy would pass it: one Latin-1 byte on the wire.
    const nbsp = await as(`\u00A0${alice.name}\u00A0`, 'GET', apiPaths.me);
    expect(nbsp.status).toBe(403);
    expect(errorResponseSchema.parse(JSON.parse(nbsp.body)).error.message).toMatch(
      /not a valid local user name/,
    );
  });
});

describe('the user name pattern, on its own', () => {
  it('refuses a name outside it before asking the passwd database', async () => {
    const asked: string[] = [];
    const authenticate = createProxyAuth({
      userHeader: 'X-Forwarded-User',
      trustedProxies: ['127.0.0.1'],
      publicOrigin: PUBLIC_URL,
      remoteAddress: () => '127.0.0.1',
      checkUser: (user) => {
        asked.push(user);
        return Promise.resolve(null);
      },
    });
    const ask = (user: string) =>
      authenticate(new Request('http://keys/api/me', { headers: { 'X-Forwarded-User': user } }));
    for (const user of [
      '..',
      'a b',
      '../etc',
      'al\u00A0ice',
      '\u00A0alice',
      '-x',
      'a'.repeat(65),
      'x$',
      '0',
    ]) {
      const result = await ask(user);
      expect(result, JSON.stringify(user)).toMatchObject({
        status: 403,
        message: expect.stringMatching(/not a valid local user name/) as unknown,
      });
    }
    expect(asked).toEqual([]);
    expect(await ask('alice')).toEqual({ user: 'alice', mode: 'proxy' });
    expect(asked).toEqual(['alice']);
  });
});

describe('each user reaches only their own file', () => {
  it('writes as the user, into the home from the passwd database', async () => {
    expect(
      (await as(alice.name, 'POST', apiPaths.sshKeys, { publicKey: key('a').publicLine })).status,
    ).toBe(201);
    expect(
      (await as(bob.name, 'POST', apiPaths.sshKeys, { publicKey: key('b').publicLine })).status,
    ).toBe(201);
    for (const user of [alice, bob]) {
      const file = fs.statSync(fileOf(user));
      const sshDir = fs.statSync(path.dirname(fileOf(user)));
      expect([file.uid, file.gid, file.mode & 0o7777]).toEqual([user.uid, user.gid, 0o600]);
      expect([sshDir.uid, sshDir.gid, sshDir.mode & 0o7777]).toEqual([user.uid, user.gid, 0o700]);
    }
  });

  it('lists only the user’s own keys and path', async () => {
    const aliceList = listKeysResponseSchema.parse(
      JSON.parse((await as(alice.name, 'GET', apiPaths.sshKeys)).body),
    );
    const bobList = listKeysResponseSchema.parse(
      JSON.parse((await as(bob.name, 'GET', apiPaths.sshKeys)).body),
    );
    expect(aliceList.keys.map((k) => k.fingerprint)).toEqual([key('a').fingerprint]);
    expect(bobList.keys.map((k) => k.fingerprint)).toEqual([key('b').fingerprint]);
    expect(aliceList.path).toBe(fileOf(alice));
    expect(bobList.path).toBe(fileOf(bob));
  });

  it('cannot delete another user’s key', async () => {
    const before = fs.readFileSync(fileOf(alice));
    const response = await as(bob.name, 'DELETE', apiPaths.sshKey(key('a').fingerprint));
    expect(response.status).toBe(404);
    expect(fs.readFileSync(fileOf(alice)).equals(before)).toBe(true);
  });
});

describe('links planted by a user are not followed', () => {
  function plantFileLink(target: string) {
    const file = fileOf(bob);
    fs.rmSync(file, { force: true });
    fs.symlinkSync(target, file);
    fs.lchownSync(file, bob.uid, bob.gid);
  }

  function plantDirLink(target: string) {
    const sshDir = path.dirname(fileOf(bob));
    fs.rmSync(sshDir, { recursive: true, force: true });
    fs.symlinkSync(target, sshDir);
    fs.lchownSync(sshDir, bob.uid, bob.gid);
  }

  async function expectNoChange(targetFile: string) {
    const before = fs.readFileSync(targetFile);
    const statBefore = fs.statSync(targetFile);
    const added = await as(bob.name, 'POST', apiPaths.sshKeys, { publicKey: key('c').publicLine });
    expect(added.status, added.body).toBeGreaterThanOrEqual(400);
    expect(added.status, added.body).toBeLessThan(600);
    expect(errorCode(added)).toBe('file-error');
    const removed = await as(bob.name, 'DELETE', apiPaths.sshKey(key('a').fingerprint));
    expect(removed.status).toBeGreaterThanOrEqual(400);
    expect(fs.readFileSync(targetFile).equals(before)).toBe(true);
    const statAfter = fs.statSync(targetFile);
    expect([statAfter.ino, statAfter.uid, statAfter.mode]).toEqual([
      statBefore.ino,
      statBefore.uid,
      statBefore.mode,
    ]);
  }

  it('a link to another user’s authorized_keys: refused, target unchanged, nothing of it listed', async () => {
    plantFileLink(fileOf(alice));
    await expectNoChange(fileOf(alice));
    const list = listKeysResponseSchema.parse(
      JSON.parse((await as(bob.name, 'GET', apiPaths.sshKeys)).body),
    );
    expect(list.keys).toEqual([]);
    expect(list.warnings.map((w) => w.code)).toContain('symlink');
  });

  it('a link to a root-owned file: refused, target unchanged', async () => {
    const rootFile = path.join(dir, 'root-owned');
    fs.writeFileSync(rootFile, '# root only\n', { mode: 0o644 });
    fs.chmodSync(dir, 0o755);
    plantFileLink(rootFile);
    await expectNoChange(rootFile);
  });

  it('~/.ssh linked to another user’s ~/.ssh: refused, target unchanged', async () => {
    plantDirLink(path.dirname(fileOf(alice)));
    await expectNoChange(fileOf(alice));
  });

  it('~/.ssh linked to a root-owned directory: refused, target unchanged', async () => {
    const rootDir = path.join(dir, 'root-ssh');
    fs.mkdirSync(rootDir, { mode: 0o755 });
    fs.writeFileSync(path.join(rootDir, 'authorized_keys'), '# root only\n', { mode: 0o644 });
    plantDirLink(rootDir);
    await expectNoChange(path.join(rootDir, 'authorized_keys'));
    expect(fs.readdirSync(rootDir)).toEqual(['authorized_keys']);
  });
});

describe('the user process has the user’s supplementary groups', () => {
  it('writes where only a supplementary group of the user may write (--authorized-keys template)', async () => {
    const group = 'keysmith-grp';
    try {
      execFileSync('getent', ['group', group], { stdio: 'ignore' });
    } catch {
      runAccountTool('groupadd', ['-f', group]);
    }
    runAccountTool('usermod', ['-a', '-G', group, alice.name]);
    const gid = Number(
      execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2],
    );
    // root:keysmith-grp 0770: neither the user's uid nor primary gid may create anything here.
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chownSync(shared, 0, gid);
    fs.chmodSync(shared, 0o770);
    fs.chmodSync(dir, 0o755);
    const groupServer = await startServer({
      host: '127.0.0.1',
      port: 0,
      auth: 'proxy',
      userHeader: 'X-Forwarded-User',
      trustedProxies: ['127.0.0.1'],
      publicUrl: PUBLIC_URL,
      authorizedKeys: `${shared}/%u/authorized_keys`,
      minUid: 1000,
      staticDir: null,
    });
    try {
      const post = (user: string) =>
        httpRequest({
          port: groupServer.port,
          method: 'POST',
          path: apiPaths.sshKeys,
          headers: { 'X-Forwarded-User': user, 'Content-Type': 'application/json' },
          body: JSON.stringify({ publicKey: key('c').publicLine }),
        });
      const member = await post(alice.name);
      expect(member.status, member.body).toBe(201);
      const file = fs.statSync(path.join(shared, alice.name, 'authorized_keys'));
      expect([file.uid, file.mode & 0o7777]).toEqual([alice.uid, 0o600]);
      const outsider = await post(bob.name);
      expect(outsider.status).toBe(500);
      expect(errorCode(outsider)).toBe('file-error');
      expect(fs.existsSync(path.join(shared, bob.name))).toBe(false);
    } finally {
      await groupServer.close();
    }
  });
});
