/**
 * User names as sites have them: `jane.doe` (Active Directory through SSSD) is served in proxy
 * mode by the privilege-dropped user process; names unsafe as a path component are refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyModeConfig } from '../../testing/server-config.ts';
import { apiPaths, errorResponseSchema } from '../../api/ssh-keys.ts';
import { USER_NAME_PATTERN } from '../auth/user-name.ts';
import { lookupAccount } from './system-users.ts';
import { startServer, type RunningServer } from './node-server.ts';
import { httpRequest } from '../../testing/http.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  runAccountTool,
  type TestUser,
} from '../../testing/sshd.ts';

describe('USER_NAME_PATTERN', () => {
  it('accepts the names sites use', () => {
    for (const name of ['alice', 'jane.doe', 'J.Smith', 'svc_backup', 'user-1', '_x', '1abc']) {
      expect(USER_NAME_PATTERN.test(name), name).toBe(true);
    }
    expect(USER_NAME_PATTERN.test('a'.repeat(64))).toBe(true);
  });

  it('refuses what is not one safe path component or could be read as a uid or an option', () => {
    for (const name of [
      '',
      '.',
      '..',
      '.hidden',
      '-x',
      '../etc',
      'a/b',
      'a b',
      'a\u00A0',
      'a%u',
      'a$',
      'a\n',
      'jane@example.org',
      'DOMAIN\\jane',
      '0',
      '1000',
      'a'.repeat(65),
    ]) {
      expect(USER_NAME_PATTERN.test(name), JSON.stringify(name)).toBe(false);
    }
  });
});

describe('a dotted user name, for real', () => {
  let jane: TestUser;
  let server: RunningServer;
  let dir: string;
  let key: TestKey;

  beforeAll(async () => {
    jane = ensureTestUser('keysmith.dot');
    resetSshDir(jane);
    dir = makeTestDir('names');
    key = makeTestKey(dir, 'jane');
    server = await startServer(proxyModeConfig());
  });

  afterAll(async () => {
    await server.close();
    resetSshDir(jane);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is found in the passwd database', async () => {
    expect(await lookupAccount('keysmith.dot')).toEqual({
      name: 'keysmith.dot',
      uid: jane.uid,
      gid: jane.gid,
      home: jane.home,
    });
  });

  it('is served in proxy mode: a key added lands in its own file, owned by it', async () => {
    const added = await httpRequest({
      port: server.port,
      method: 'POST',
      path: apiPaths.sshKeys,
      headers: { 'X-Forwarded-User': 'keysmith.dot', 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: key.publicLine, name: 'laptop' }),
    });
    expect(added.status, added.body).toBe(201);
    const file = path.join(jane.home, '.ssh', 'authorized_keys');
    expect(fs.readFileSync(file, 'utf8')).toContain(key.publicLine.split(' ')[1]);
    expect(fs.statSync(file).uid).toBe(jane.uid);
    const me = await httpRequest({
      port: server.port,
      path: apiPaths.me,
      headers: { 'X-Forwarded-User': 'keysmith.dot' },
    });
    expect(JSON.parse(me.body)).toEqual({ user: 'keysmith.dot', mode: 'proxy' });
  });

  it('refuses a name unsafe as a path component with a message that says what to do', async () => {
    const response = await httpRequest({
      port: server.port,
      path: apiPaths.sshKeys,
      headers: { 'X-Forwarded-User': '../keysmith.dot' },
    });
    expect(response.status).toBe(403);
    const { error } = errorResponseSchema.parse(JSON.parse(response.body));
    expect(error.message).toMatch(/not a valid local user name \(letters.*administrator to map/);
  });
});

describe('the long-lived passwd resolver', () => {
  it('sees a changed home and a removed account at once, and answers many lookups in order', async () => {
    const user = ensureTestUser('keysmith-moving');
    const moved = makeTestDir('moved');
    try {
      expect(await lookupAccount(user.name)).toMatchObject({ uid: user.uid, home: user.home });
      runAccountTool('usermod', ['-d', moved, user.name]);
      expect(await lookupAccount(user.name)).toMatchObject({ uid: user.uid, home: moved });
      runAccountTool('userdel', [user.name]);
      expect(await lookupAccount(user.name)).toBeNull();
      const names = ['keysmith.dot', 'root', 'no-such-user-here', 'keysmith.dot'];
      const found = await Promise.all(names.map((name) => lookupAccount(name)));
      expect(found.map((account) => account?.name ?? null)).toEqual([
        'keysmith.dot',
        'root',
        null,
        'keysmith.dot',
      ]);
      await expect(lookupAccount('a\nroot')).rejects.toThrow(TypeError);
    } finally {
      ensureTestUser('keysmith-moving');
      fs.rmSync(moved, { recursive: true, force: true });
    }
  });
});
