/**
 * The pool of per-user helper processes, as root with real test users: each user reaches only
 * their own file, a helper never serves a second uid, planted links lead nowhere, SIGKILLs in a
 * burst of adds lose no acknowledged key, idle helpers exit, and the limits answer 429 and 503.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../../api/ssh-keys.ts';
import { KeyStoreError } from '../../store/key-store.ts';
import { httpRequest } from '../../../testing/http.ts';
import { makeTestKey, sshKeygenFingerprints, type TestKey } from '../../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  type TestUser,
  authorizedKeysOf as fileOf,
  accountOf as account,
} from '../../../testing/sshd.ts';
import { startServer } from '../node-server.ts';
import { createUserProcessPool, type HelperAnswer } from './user-process-pool.ts';
import { runKeyOperation } from './user-process-store.ts';

let users: TestUser[] = [];
let dir: string;
const keys: TestKey[] = [];

function user(index: number): TestUser {
  const found = users[index];
  if (found === undefined) throw new Error(`no test user ${index}`);
  return found;
}

function key(index: number): TestKey {
  const found = keys[index];
  if (found === undefined) throw new Error(`no test key ${index}`);
  return found;
}

/** Real, effective, saved and file-system uid of a live process, from the kernel. */
function procUids(pid: number): number[] {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return (/^Uid:\s+(.*)$/m.exec(status)?.[1] ?? '').split(/\s+/).map(Number);
}

function procGroups(pid: number): number[] {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const groups = /^Groups:\s*(.*)$/m.exec(status)?.[1] ?? '';
  return groups.trim() === '' ? [] : groups.trim().split(/\s+/).map(Number).sort();
}

/** This process's children that run as `uid`. */
function childrenOfUid(uid: number): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const owner = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      return ppid === process.pid && owner === uid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** A list, tried again while a helper killed by the burst's last kill is still being reaped. */
async function listAfterKills(
  pool: ReturnType<typeof createUserProcessPool>,
  u: TestUser,
): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await runKeyOperation(pool, account(u), fileOf(u), { op: 'list', now: new Date() }))
        .result;
    } catch (error) {
      if (!(error instanceof KeyStoreError) || error.status !== 500 || attempt === 3) throw error;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function failure(promise: Promise<unknown>): Promise<KeyStoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyStoreError) return error;
    throw error;
  }
  throw new Error('expected a KeyStoreError');
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A lock as a live writer of `u` holds it (proper-lockfile's directory, kept fresh): adds wait. */
function holdLock(u: TestUser): () => void {
  const file = fileOf(u);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.chownSync(path.dirname(file), u.uid, u.gid);
  const lock = `${file}.lock`;
  fs.mkdirSync(lock);
  fs.chownSync(lock, u.uid, u.gid);
  const touch = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 200);
  return () => {
    clearInterval(touch);
    fs.rmSync(lock, { recursive: true, force: true });
  };
}

beforeAll(() => {
  users = ['keysmith-q1', 'keysmith-q2', 'keysmith-q3', 'keysmith-q4'].map(ensureTestUser);
  for (const u of users) resetSshDir(u);
  dir = makeTestDir('pool');
  fs.chmodSync(dir, 0o700);
  for (let index = 0; index < 24; index += 1) keys.push(makeTestKey(dir, `k${index}`));
});

afterAll(() => {
  for (const u of users) resetSshDir(u);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('each user through the pool', () => {
  it('reaches only their own file, in a helper that is that user and never serves another uid', async () => {
    // Two helpers for four users: every other request makes a helper give way to another.
    const pool = createUserProcessPool({ maxProcesses: 2, queueWaitMs: 120_000 });
    const servedBy = new Map<number, number>();
    const record = (answer: HelperAnswer<unknown>, uid: number) => {
      expect(answer.uid).toBe(uid);
      expect(servedBy.get(answer.pid) ?? uid, `helper ${answer.pid}`).toBe(uid);
      servedBy.set(answer.pid, uid);
    };
    try {
      for (const [index, u] of users.entries()) {
        const answer = await runKeyOperation(pool, account(u), fileOf(u), {
          op: 'add',
          request: { publicKey: key(index).publicLine },
          now: new Date(),
        });
        record(answer, u.uid);
        const [first] = pool.snapshot().helpers.filter((h) => h.pid === answer.pid);
        if (first !== undefined) {
          expect(procUids(first.pid)).toEqual([u.uid, u.uid, u.uid, u.uid]);
          const expected = execFileSync('id', ['-G', u.name], { encoding: 'utf8' })
            .trim()
            .split(/\s+/)
            .map(Number)
            .sort();
          expect(procGroups(first.pid)).toEqual(expected);
        }
      }
      expect(pool.snapshot().helpers.length).toBeLessThanOrEqual(2);
      // Interleaved and at once: lists of all four users, three rounds.
      const rounds = await Promise.all(
        [0, 1, 2].flatMap(() =>
          users.map(async (u, index) => {
            const answer = await runKeyOperation(pool, account(u), fileOf(u), {
              op: 'list',
              now: new Date(),
            });
            record(answer, u.uid);
            const list = listKeysResponseSchema.parse(answer.result);
            expect(list.path).toBe(fileOf(u));
            expect(list.keys.map((k) => k.fingerprint)).toEqual([key(index).fingerprint]);
            return answer.pid;
          }),
        ),
      );
      expect(new Set(rounds).size).toBeGreaterThan(2);
      for (const u of users) {
        const stat = fs.statSync(fileOf(u));
        expect([stat.uid, stat.gid, stat.mode & 0o7777]).toEqual([u.uid, u.gid, 0o600]);
      }
    } finally {
      await pool.close();
    }
    expect(pool.snapshot().helpers).toEqual([]);
    for (const pid of servedBy.keys()) expect(alive(pid)).toBe(false);
  });

  it('starts a new helper when the passwd entry changes, and retires the old one', async () => {
    const pool = createUserProcessPool({ maxProcesses: 4 });
    const u = user(0);
    try {
      const before = await runKeyOperation(pool, account(u), fileOf(u), {
        op: 'list',
        now: new Date(),
      });
      const moved = makeTestDir('moved-home');
      fs.chownSync(moved, u.uid, u.gid);
      const after = await runKeyOperation(pool, { ...account(u), home: moved }, fileOf(u), {
        op: 'list',
        now: new Date(),
      });
      expect(after.pid).not.toBe(before.pid);
      await until(() => !alive(before.pid), 'the old helper to exit');
      expect(pool.snapshot().helpers.map((h) => h.pid)).toEqual([after.pid]);
      fs.rmSync(moved, { recursive: true, force: true });
    } finally {
      await pool.close();
    }
  });

  it('never follows a link one user planted into another user’s file', async () => {
    const pool = createUserProcessPool({ maxProcesses: 4 });
    const [owner, planter] = [user(0), user(1)];
    const target = fileOf(owner);
    const before = fs.readFileSync(target);
    const file = fileOf(planter);
    fs.rmSync(file, { force: true });
    fs.symlinkSync(target, file);
    fs.lchownSync(file, planter.uid, planter.gid);
    try {
      const added = await failure(
        runKeyOperation(pool, account(planter), file, {
          op: 'add',
          request: { publicKey: key(10).publicLine },
          now: new Date(),
        }),
      );
      expect(added.code).toBe('file-error');
      const removed = await failure(
        runKeyOperation(pool, account(planter), file, {
          op: 'remove',
          fingerprint: key(0).fingerprint,
        }),
      );
      expect(removed.status).toBeGreaterThanOrEqual(400);
      const list = listKeysResponseSchema.parse(
        (await runKeyOperation(pool, account(planter), file, { op: 'list', now: new Date() }))
          .result,
      );
      expect(list.keys).toEqual([]);
      expect(list.warnings.map((w) => w.code)).toContain('symlink');
      // The owner's own helper, alive beside the planter's, still sees exactly its key.
      const own = listKeysResponseSchema.parse(
        (await runKeyOperation(pool, account(owner), target, { op: 'list', now: new Date() }))
          .result,
      );
      expect(own.keys.map((k) => k.fingerprint)).toEqual([key(0).fingerprint]);
      expect(fs.readFileSync(target).equals(before)).toBe(true);
    } finally {
      await pool.close();
      fs.rmSync(file, { force: true });
    }
  });
});

describe('faults', () => {
  it('loses no acknowledged key when helpers are killed at random during a burst of adds', async () => {
    const pool = createUserProcessPool({ maxProcesses: 4, maxPerUser: 8 });
    for (const u of users) resetSshDir(u);
    const acknowledged = new Map<number, string[]>(users.map((u) => [u.uid, []]));
    const failures: KeyStoreError[] = [];
    let kills = 0;
    const burst = { running: true };
    const killer = (async () => {
      for (;;) {
        // A helper answers an add in a few milliseconds: kill often, busy ones first.
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 10));
        // Checked after the sleep: a kill once the burst is over would hit the lists below.
        if (!burst.running) break;
        const helpers = pool.snapshot().helpers;
        const busy = helpers.filter((h) => h.busy);
        const victims = busy.length > 0 ? busy : helpers;
        const victim = victims[Math.floor(Math.random() * victims.length)];
        if (victim !== undefined && alive(victim.pid)) {
          process.kill(victim.pid, 'SIGKILL');
          kills += 1;
        }
      }
    })();
    try {
      await Promise.all(
        users.map(async (u, userIndex) => {
          for (let round = 0; round < 5; round += 1) {
            const k = key(4 + userIndex * 5 + round);
            try {
              await runKeyOperation(pool, account(u), fileOf(u), {
                op: 'add',
                request: { publicKey: k.publicLine },
                now: new Date(),
              });
              acknowledged.get(u.uid)?.push(k.fingerprint);
            } catch (error) {
              if (!(error instanceof KeyStoreError)) throw error;
              failures.push(error);
            }
          }
        }),
      );
    } finally {
      burst.running = false;
      await killer;
    }
    try {
      expect(kills).toBeGreaterThan(0);
      for (const error of failures) {
        expect([500, 503]).toContain(error.status);
        expect(error.message).toMatch(/retry/i);
      }
      for (const u of users) {
        const listed = listKeysResponseSchema.parse(await listAfterKills(pool, u));
        const fingerprints = listed.keys.map((k) => k.fingerprint);
        for (const fingerprint of acknowledged.get(u.uid) ?? []) {
          expect(fingerprints).toContain(fingerprint);
        }
        if (fs.existsSync(fileOf(u))) {
          expect(sshKeygenFingerprints(fileOf(u)).sort()).toEqual([...fingerprints].sort());
        }
      }
    } finally {
      await pool.close();
    }
  });

  it('kills a helper that does not answer in time, answers 503, and serves the next request with a new one', async () => {
    const pool = createUserProcessPool({ maxProcesses: 2, requestTimeoutMs: 5000 });
    const u = user(2);
    resetSshDir(u);
    const first = await runKeyOperation(pool, account(u), fileOf(u), {
      op: 'list',
      now: new Date(),
    });
    const release = holdLock(u);
    try {
      const hung = await failure(
        runKeyOperation(pool, account(u), fileOf(u), {
          op: 'add',
          request: { publicKey: key(0).publicLine },
          now: new Date(),
        }),
      );
      expect([hung.status, hung.code]).toEqual([503, 'busy']);
      expect(hung.message).toMatch(/did not answer/);
      expect(hung.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      release();
    }
    try {
      await until(() => !alive(first.pid), 'the hung helper to be killed');
      const next = await runKeyOperation(pool, account(u), fileOf(u), {
        op: 'list',
        now: new Date(),
      });
      expect(next.pid).not.toBe(first.pid);
      expect(listKeysResponseSchema.parse(next.result).keys).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('bounds', () => {
  it('lets an idle helper exit', async () => {
    const pool = createUserProcessPool({ idleMs: 300 });
    try {
      const u = user(3);
      const answer = await runKeyOperation(pool, account(u), fileOf(u), {
        op: 'list',
        now: new Date(),
      });
      expect(alive(answer.pid)).toBe(true);
      await until(() => !alive(answer.pid), 'the idle helper to exit');
      expect(pool.snapshot().helpers).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('answers 429 beyond the per-user limit and 503 when the queue is full or the wait too long', async () => {
    const pool = createUserProcessPool({
      maxProcesses: 1,
      maxQueue: 2,
      maxPerUser: 2,
      queueWaitMs: 1000,
    });
    const [a, b, c] = [user(0), user(1), user(2)];
    resetSshDir(a);
    const release = holdLock(a);
    try {
      const add = (index: number) =>
        runKeyOperation(pool, account(a), fileOf(a), {
          op: 'add',
          request: { publicKey: key(index).publicLine },
          now: new Date(),
        });
      // a's first add holds the only helper (the lock is taken); its second waits in the queue.
      const held = add(0);
      const queued = failure(add(1));
      const tooMany = await failure(add(2));
      expect([tooMany.status, tooMany.code]).toEqual([429, 'too-many-requests']);
      expect(tooMany.message).toBe('Too many requests from you at once; wait a moment and retry.');
      expect(tooMany.retryAfterSeconds).toBeGreaterThan(0);
      // b takes the queue's last place; c finds it full.
      const waiting = failure(
        runKeyOperation(pool, account(b), fileOf(b), { op: 'list', now: new Date() }),
      );
      const full = await failure(
        runKeyOperation(pool, account(c), fileOf(c), { op: 'list', now: new Date() }),
      );
      expect([full.status, full.code]).toEqual([503, 'busy']);
      expect(full.retryAfterSeconds).toBeGreaterThan(0);
      // Both waiters give up after queueWaitMs, while a's first add still holds the helper.
      for (const waited of await Promise.all([queued, waiting])) {
        expect([waited.status, waited.code]).toEqual([503, 'busy']);
        expect(waited.message).toMatch(/retry in a few seconds/);
      }
      expect(pool.snapshot()).toMatchObject({ queued: 0, helpers: [{ busy: true }] });
      release();
      await held;
      expect(sshKeygenFingerprints(fileOf(a))).toEqual([key(0).fingerprint]);
    } finally {
      release();
      await pool.close();
    }
  });

  it('sends 429 and 503 over HTTP with Retry-After and a message that says what to do', async () => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      auth: 'proxy',
      userHeader: 'X-Forwarded-User',
      trustedProxies: ['127.0.0.1'],
      publicUrl: 'https://keys.example.org',
      authorizedKeys: '%h/.ssh/authorized_keys',
      minUid: 1000,
      staticDir: null,
      userProcesses: { maxProcesses: 1, maxQueue: 0, maxPerUser: 1 },
    });
    const [a, b] = [user(0), user(1)];
    resetSshDir(a);
    const release = holdLock(a);
    const post = (u: TestUser, index: number) =>
      httpRequest({
        port: server.port,
        method: 'POST',
        path: apiPaths.sshKeys,
        headers: { 'X-Forwarded-User': u.name, 'Content-Type': 'application/json' },
        body: JSON.stringify({ publicKey: key(index).publicLine }),
      });
    try {
      const held = post(a, 0);
      // Its helper exists once the request is admitted: the pool starts it for that request.
      await until(() => childrenOfUid(a.uid).length > 0, 'the first add to reach a helper');
      const second = await post(a, 1);
      expect(second.status).toBe(429);
      expect(second.headers['retry-after']).toMatch(/^\d+$/);
      expect(errorResponseSchema.parse(JSON.parse(second.body)).error.message).toMatch(
        /wait a moment and retry/,
      );
      const other = await post(b, 2);
      expect(other.status).toBe(503);
      expect(other.headers['retry-after']).toMatch(/^\d+$/);
      expect(errorResponseSchema.parse(JSON.parse(other.body)).error.code).toBe('busy');
      release();
      expect((await held).status).toBe(201);
    } finally {
      release();
      await server.close();
    }
  });
});
