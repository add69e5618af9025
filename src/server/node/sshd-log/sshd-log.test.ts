/**
 * Last use from a real sshd's log: logins with real keys through a real sshd (`-E FILE`), read
 * by the proxy-mode server as root and listed per user; rotation (rename, then sshd reopens the
 * path on SIGHUP) and truncation; and the journal, written by systemd-journal-remote from
 * sshd's own lines, with a forged `logger -t sshd` entry beside them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeConfig, proxyModeConfig } from '../../../testing/server-config.ts';
import { apiPaths, listKeysResponseSchema, type ListKeysResponse } from '../../../api/ssh-keys.ts';
import { startServer, type RunningServer } from '../node-server.ts';
import { startSshdLog } from './sshd-log.ts';
import { httpRequest } from '../../../testing/http.ts';
import { makeTestKey, type TestKey } from '../../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  startSshd,
  type RunningSshd,
  type TestUser,
} from '../../../testing/sshd.ts';

let alice: TestUser;
let bob: TestUser;
let dir: string;
let logFile: string;
let sshd: RunningSshd;
let server: RunningServer;
let a1: TestKey;
let a2: TestKey;
let a3: TestKey;

beforeAll(async () => {
  alice = ensureTestUser('keysmith-lu1');
  bob = ensureTestUser('keysmith-lu2');
  resetSshDir(alice);
  resetSshDir(bob);
  dir = makeTestDir('lastuse');
  a1 = makeTestKey(dir, 'a1');
  a2 = makeTestKey(dir, 'a2');
  a3 = makeTestKey(dir, 'a3');
  logFile = path.join(dir, 'sshd.log');
  sshd = await startSshd({ logFile });
  server = await startServer(proxyModeConfig({ sshdLog: { kind: 'file', path: logFile } }));
});

afterAll(async () => {
  await server.close();
  await sshd.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function add(user: TestUser, key: TestKey) {
  const response = await httpRequest({
    port: server.port,
    method: 'POST',
    path: apiPaths.sshKeys,
    headers: { 'X-Forwarded-User': user.name, 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicKey: key.publicLine }),
  });
  expect(response.status, response.body).toBe(201);
}

async function list(user: TestUser): Promise<ListKeysResponse> {
  const response = await httpRequest({
    port: server.port,
    path: apiPaths.sshKeys,
    headers: { 'X-Forwarded-User': user.name },
  });
  expect(response.status, response.body).toBe(200);
  return listKeysResponseSchema.parse(JSON.parse(response.body));
}

async function login(user: TestUser, key: TestKey) {
  const result = await sshd.tryLogin(user.name, key.privatePath);
  expect(result.ok, result.output).toBe(true);
}

/** Retries `check` until it passes, for at most 15 s (the server looks at the log each second). */
async function eventually(check: () => Promise<void> | void) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function keyOf(listed: ListKeysResponse, key: TestKey) {
  const found = listed.keys.find((k) => k.fingerprint === key.fingerprint);
  if (found === undefined) throw new Error(`${key.fingerprint} is not listed`);
  return found;
}

describe('--sshd-log FILE with a real sshd', () => {
  it("lists a login as that user's key's last use from 127.0.0.1, never another user's", async () => {
    await add(alice, a1);
    await add(bob, a1);
    const before = await list(alice);
    expect(before.lastUseTracked).toBe(true);
    expect(keyOf(before, a1).lastUsedAt).toBeNull();

    const start = Date.now();
    await login(bob, a1);
    await eventually(async () => {
      expect(keyOf(await list(bob), a1).lastUsedFrom).toBe('127.0.0.1');
    });
    // The same key, another account: alice's entry stays empty.
    expect(keyOf(await list(alice), a1).lastUsedAt).toBeNull();

    await login(alice, a1);
    await eventually(async () => {
      const used = keyOf(await list(alice), a1);
      expect(used.lastUsedFrom).toBe('127.0.0.1');
      // sshd -E writes no time: the reader's, within the test.
      expect(Date.parse(used.lastUsedAt ?? '')).toBeGreaterThanOrEqual(start - 1000);
      expect(Date.parse(used.lastUsedAt ?? '')).toBeLessThanOrEqual(Date.now());
    });
  });

  it('follows the new file after rotation (rename, then sshd reopens the path)', async () => {
    await add(alice, a2);
    fs.renameSync(logFile, `${logFile}.1`);
    await sshd.reopenLog();
    await login(alice, a2);
    await eventually(async () => {
      expect(keyOf(await list(alice), a2).lastUsedFrom).toBe('127.0.0.1');
    });
  });

  it('starts over when the file is truncated', async () => {
    await add(alice, a3);
    const reader = startSshdLog({ kind: 'file', path: logFile }, { intervalMs: 0 });
    try {
      await reader.poll();
      expect(reader.forUser(alice.name).get(a2.fingerprint)?.from).toBe('127.0.0.1');
      fs.truncateSync(logFile, 0);
      await reader.poll();
      await login(alice, a3);
      await eventually(async () => {
        await reader.poll();
        expect(reader.forUser(alice.name).get(a3.fingerprint)?.from).toBe('127.0.0.1');
      });
    } finally {
      await reader.close();
    }
  });
});

/** One journal entry in systemd's export format (systemd-journal-remote reads it). */
function exportEntry(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('')}\n`;
}

let monotonic = 1_000_000;

/** Appends entries to a journal file in `journalDir`, as journald would have written them. */
function writeJournal(journalDir: string, entries: Record<string, string>[]) {
  const input = entries
    .map((fields) =>
      exportEntry({
        __REALTIME_TIMESTAMP: String(Date.now() * 1000),
        __MONOTONIC_TIMESTAMP: String((monotonic += 1000)),
        _BOOT_ID: '0123456789abcdef0123456789abcdef',
        ...fields,
      }),
    )
    .join('');
  const exportFile = path.join(journalDir, 'entries.export');
  fs.writeFileSync(exportFile, input);
  execFileSync(
    '/lib/systemd/systemd-journal-remote',
    ['--output', path.join(journalDir, 'remote.journal'), exportFile],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
  );
  fs.rmSync(exportFile);
}

describe('--sshd-log journal', () => {
  it("takes sshd's entries by _COMM and _UID, never a user's logger -t sshd, and follows new ones", async () => {
    const accepted = (key: TestKey) => {
      const line = `${sshd.log()}${fs.readFileSync(`${logFile}.1`, 'utf8')}`
        .split(/\r?\n/)
        .find(
          (l) =>
            l.startsWith(`Accepted publickey for ${alice.name} `) && l.includes(key.fingerprint),
        );
      if (line === undefined) throw new Error(`sshd logged no login with ${key.fingerprint}`);
      return line;
    };
    const journalDir = path.join(dir, 'journal');
    fs.mkdirSync(journalDir);
    const sshdFields = { _COMM: 'sshd', _UID: '0', SYSLOG_IDENTIFIER: 'sshd', _PID: '4242' };
    writeJournal(journalDir, [
      { ...sshdFields, MESSAGE: accepted(a1) },
      {
        _COMM: 'logger',
        _UID: String(bob.uid),
        SYSLOG_IDENTIFIER: 'sshd',
        MESSAGE: accepted(a1)
          .replace(a1.fingerprint, a2.fingerprint)
          .replace('127.0.0.1', '203.0.113.66'),
      },
    ]);
    const reader = startSshdLog({ kind: 'journal', directory: journalDir });
    try {
      await eventually(() => {
        expect(reader.forUser(alice.name).get(a1.fingerprint)?.from).toBe('127.0.0.1');
      });
      writeJournal(journalDir, [{ ...sshdFields, MESSAGE: accepted(a3) }]);
      await eventually(() => {
        expect(reader.forUser(alice.name).get(a3.fingerprint)?.from).toBe('127.0.0.1');
      });
      expect(reader.forUser(alice.name).has(a2.fingerprint)).toBe(false);
    } finally {
      await reader.close();
    }
  });
});

describe('--sshd-log FILE against forged lines', () => {
  it('takes a forged syslog line as a login of the user it names only, and survives floods and garbage', async () => {
    const syslog = path.join(dir, 'auth.log');
    const line = (user: string, from: string, key: TestKey) =>
      `2026-12-06T07:27:32.123456+00:00 host sshd[1]: Accepted publickey for ${user} from ${from} port 2 ssh2: ED25519 ${key.fingerprint}`;
    const flood = Array.from({ length: 5000 }, (_, n) => line(`forged${n}`, '198.51.100.1', a1));
    fs.writeFileSync(
      syslog,
      [
        ...flood,
        line(alice.name, '192.0.2.10', a1),
        `${line(bob.name, '203.0.113.9', a1)}, ${'x'.repeat(1024 * 1024)}`,
        Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'),
        line(bob.name, '203.0.113.10', a2),
        '',
      ].join('\n'),
    );
    const reader = startSshdLog({ kind: 'file', path: syslog }, { intervalMs: 0, maxEntries: 100 });
    try {
      await reader.poll();
      expect(reader.forUser(bob.name).get(a2.fingerprint)?.from).toBe('203.0.113.10');
      // The over-long line is skipped whole; bob's address never reaches alice.
      expect(reader.forUser(bob.name).has(a1.fingerprint)).toBe(false);
      expect(reader.forUser('forged4999').size).toBe(1);
      expect(reader.forUser('forged0').size).toBe(0);
      fs.appendFileSync(syslog, `${line(alice.name, '192.0.2.11', a1)}\n`);
      await reader.poll();
      expect([...reader.forUser(alice.name).values()].map((use) => use.from)).toEqual([
        '192.0.2.11',
      ]);
    } finally {
      await reader.close();
    }
  });
});

describe('--sshd-log in local mode (the file store serves its cached list body)', () => {
  it('marks the cached body as tracked, and lists a login once the log has one', async () => {
    const home = path.join(dir, 'local-home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(home, '.ssh', 'authorized_keys'), `${a1.publicLine}\n`, {
      mode: 0o600,
    });
    const syslog = path.join(dir, 'local-auth.log');
    fs.writeFileSync(syslog, '');
    const token = 'lastuse-token-0123456789abcdefXYZ';
    const local = await startServer(
      localModeConfig(token, home, { sshdLog: { kind: 'file', path: syslog } }),
    );
    const listLocal = async () => {
      const response = await httpRequest({
        port: local.port,
        path: apiPaths.sshKeys,
        headers: { Authorization: `Bearer ${token}`, Host: `127.0.0.1:${local.port}` },
      });
      expect(response.status, response.body).toBe(200);
      return listKeysResponseSchema.parse(JSON.parse(response.body));
    };
    try {
      const before = await listLocal();
      expect(before.lastUseTracked).toBe(true);
      expect(keyOf(before, a1).lastUsedAt).toBeNull();
      fs.appendFileSync(
        syslog,
        `Dec  6 07:27:32 host sshd[7]: Accepted publickey for ada from 192.0.2.44 port 3 ssh2: ED25519 ${a1.fingerprint}\n`,
      );
      await eventually(async () => {
        expect(keyOf(await listLocal(), a1).lastUsedFrom).toBe('192.0.2.44');
      });
    } finally {
      await local.close();
    }
  });
});
