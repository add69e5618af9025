/**
 * Concurrent writers: three `keysmith serve` processes (each driven over HTTP) and three
 * CLI-like writer processes add and remove keys in one home at the same instant, all running
 * as a real test user. The lock must hold between them: the final file is exactly the expected
 * set (nothing lost, nothing doubled), every line nobody touched is byte-identical, modes and
 * owner are right, and a real sshd (StrictModes on) logs in with a key that must be there and
 * refuses one that was removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths } from '../../api/ssh-keys.ts';
import { removeKey } from '../../server/keys-file/edits.ts';
import { listKeys } from '../../server/keys-file/listing.ts';
import { httpRequest } from '../http.ts';
import { makeTestKey, sshKeygenFingerprints, type TestKey } from '../ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  startSshd,
  type RunningSshd,
  type TestUser,
} from '../sshd.ts';
import {
  killAllChildren,
  runWriter,
  startServerProcess,
  type ServerProcess,
} from './child-processes.ts';
import { freshKeys, type FreshKey } from './fresh-keys.ts';
import { createSecretScanner } from './secret-scan.ts';
import { soakScale } from './soak-scale.ts';
import { createSummary } from './summary-table.ts';

const scale = soakScale();
const summary = createSummary('concurrent-writers');
const secrets = createSecretScanner();
const token = 'reliability-token-4f7c1d9a2b8e6053';
const SERVERS = 3;
const CLI_WRITERS = 3;
const KEYS_PER_WRITER = 10 * scale;
const now = new Date('2026-05-06T07:08:09Z');

let user: TestUser;
let keysDir: string;
let servers: ServerProcess[] = [];
let sshd: RunningSshd | undefined;
let loginForeign: TestKey;
let loginAdded: TestKey;
let loginRemoved: TestKey;
let doomed: FreshKey;
let other: FreshKey;

type Op = { op: 'add'; publicKey: string; name: string } | { op: 'remove'; fingerprint: string };

function file(): string {
  return path.join(user.home, '.ssh', 'authorized_keys');
}

function initialText(): string {
  return [
    '# Managed by hand: keep this header\r\n',
    `no-pty ${loginForeign.publicLine}\r\n`,
    `from="10.0.0.0/8",no-pty ${other.publicLine}\n`,
    '\n',
    `# the next line is removed by a writer\n`,
    `${doomed.publicLine}\n`,
    'not a key, sshd skips it\n',
    '   # indented comment\n',
  ].join('');
}

function writeInitial(): void {
  resetSshDir(user);
  const sshDir = path.dirname(file());
  fs.mkdirSync(sshDir, { mode: 0o700 });
  fs.chmodSync(sshDir, 0o700);
  fs.writeFileSync(file(), initialText(), { mode: 0o600 });
  fs.chownSync(sshDir, user.uid, user.gid);
  fs.chownSync(file(), user.uid, user.gid);
}

/** One writer's operations: add each key; after every second add, remove the one before it. */
function opsFor(keys: readonly FreshKey[], writer: number): Op[] {
  const ops: Op[] = [];
  keys.forEach((k, i) => {
    ops.push({ op: 'add', publicKey: k.publicLine, name: `w${writer}-${i}` });
    const previous = keys[i - 1];
    if (i % 3 === 1 && previous !== undefined) {
      ops.push({ op: 'remove', fingerprint: previous.fingerprint });
    }
  });
  return ops;
}

function fingerprintOf(publicLine: string): string {
  const found = listKeys(publicLine, now)[0];
  if (found === undefined) throw new Error('not a key line');
  return found.fingerprint;
}

async function viaHttp(server: ServerProcess, ops: readonly Op[], startAt: number) {
  await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
  const results: boolean[] = [];
  for (const op of ops) {
    const response =
      op.op === 'add'
        ? await httpRequest({
            port: server.port,
            method: 'POST',
            path: apiPaths.sshKeys,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ publicKey: op.publicKey, name: op.name }),
          })
        : await httpRequest({
            port: server.port,
            method: 'DELETE',
            path: apiPaths.sshKey(op.fingerprint),
            headers: { Authorization: `Bearer ${token}` },
          });
    secrets.capture(`response ${response.status}`, response.body);
    results.push(response.status === (op.op === 'add' ? 201 : 204));
  }
  return results;
}

beforeAll(async () => {
  user = ensureTestUser('keysmith-r1');
  keysDir = makeTestDir('concurrent');
  fs.chmodSync(keysDir, 0o700);
  loginForeign = makeTestKey(keysDir, 'foreign');
  loginAdded = makeTestKey(keysDir, 'added');
  loginRemoved = makeTestKey(keysDir, 'removed');
  [doomed, other] = (await freshKeys(2, 'foreign')) as [FreshKey, FreshKey];
  secrets.secret('sign-in token', token);
  for (const k of [loginForeign, loginAdded, loginRemoved]) {
    secrets.secret(
      `private key ${path.basename(k.privatePath)}`,
      fs.readFileSync(k.privatePath, 'utf8'),
    );
  }
  writeInitial();
  const runAs = { uid: user.uid, gid: user.gid, home: user.home };
  servers = await Promise.all(
    Array.from({ length: SERVERS }, () => startServerProcess({ token, runAs })),
  );
  sshd = await startSshd();
}, 120_000);

afterAll(async () => {
  killAllChildren();
  await sshd?.stop();
  for (const server of servers) secrets.capture('server output', server.output());
  const found = secrets.findings();
  summary.count(
    `no secret in ${secrets.captured()} captured outputs and bodies`,
    found.length === 0,
  );
  resetSshDir(user);
  fs.rmSync(keysDir, { recursive: true, force: true });
  summary.finish();
  expect(found).toEqual([]);
});

describe('servers and CLI writers at once', () => {
  for (let round = 0; round < scale; round += 1) {
    it(`round ${round + 1}: the final file is exactly the expected set; sshd agrees`, async () => {
      writeInitial();
      const writers = SERVERS + CLI_WRITERS;
      const keySets = await Promise.all(
        Array.from({ length: writers }, (_, w) => freshKeys(KEYS_PER_WRITER, `r${round}w${w}`)),
      );
      const jobs = keySets.map((keys, w) => opsFor(keys, w));
      // Fixed extras: a key sshd must accept, one added then removed, a foreign line removed.
      jobs[0]?.push({ op: 'add', publicKey: loginAdded.publicLine, name: 'login-added' });
      jobs[SERVERS]?.push(
        { op: 'add', publicKey: loginRemoved.publicLine, name: 'login-removed' },
        { op: 'remove', fingerprint: loginRemoved.fingerprint },
      );
      jobs[SERVERS + 1]?.push({ op: 'remove', fingerprint: doomed.fingerprint });

      const startAt = Date.now() + 1500;
      const runAs = { uid: user.uid, gid: user.gid, home: user.home };
      const results = await Promise.all(
        jobs.map(async (ops, w) => {
          const server = servers[w];
          if (server !== undefined) return viaHttp(server, ops, startAt);
          const result = await runWriter(
            { path: file(), home: user.home, now: now.toISOString(), startAt, ops },
            runAs,
          );
          secrets.capture('writer output', result.output);
          return ops.map((_, i) => result.acked.includes(i));
        }),
      );
      const acknowledged = results.flat();
      for (const ok of acknowledged) summary.count('change acknowledged (201/204 or ack)', ok);
      expect(acknowledged.every(Boolean)).toBe(true);

      // What must be there: every added key not removed afterwards by the same writer.
      const foreignKept = [loginForeign.fingerprint, other.fingerprint];
      const expected = new Set<string>(foreignKept);
      for (const ops of jobs) {
        for (const op of ops) {
          if (op.op === 'add') expected.add(fingerprintOf(op.publicKey));
          else expected.delete(op.fingerprint);
        }
      }
      expected.delete(doomed.fingerprint);

      const text = fs.readFileSync(file(), 'utf8');
      const listed = listKeys(text, now).map((k) => k.fingerprint);
      const exactSet = listed.length === expected.size && listed.every((fp) => expected.has(fp));
      summary.count('final file holds exactly the expected keys, each once', exactSet);
      expect([...listed].sort()).toEqual([...expected].sort());

      // Take out every key Keysmith added (with its metadata line): what is left must be the
      // original file minus the removed foreign line, byte for byte.
      let stripped = text;
      for (const fp of expected) {
        if (!foreignKept.includes(fp)) stripped = removeKey(stripped, fp);
      }
      const untouched = stripped === removeKey(initialText(), doomed.fingerprint);
      summary.count('untouched lines byte-identical', untouched);
      expect(stripped).toBe(removeKey(initialText(), doomed.fingerprint));
      expect(listKeys(text, now).filter((k) => k.managed).length).toBe(expected.size - 2);

      const stat = fs.statSync(file());
      const dirStat = fs.statSync(path.dirname(file()));
      const modes =
        (stat.mode & 0o7777) === 0o600 &&
        stat.uid === user.uid &&
        (dirStat.mode & 0o7777) === 0o700 &&
        dirStat.uid === user.uid &&
        fs.readdirSync(path.dirname(file())).length === 1;
      summary.count('modes, owner, no leftovers', modes);
      expect(modes).toBe(true);

      const keygen = sshKeygenFingerprints(file());
      const keygenAgrees = [...keygen].sort().join() === [...listed].sort().join();
      summary.count('ssh-keygen -lf reads the same keys', keygenAgrees);
      expect([...keygen].sort()).toEqual([...listed].sort());

      for (const [label, key, shouldLogIn] of [
        ['foreign key', loginForeign, true],
        ['key added through a server', loginAdded, true],
        ['key removed by a CLI writer', loginRemoved, false],
      ] as const) {
        const login = await sshd?.tryLogin(user.name, key.privatePath);
        const ok = login?.ok === shouldLogIn;
        summary.count('sshd logs in exactly the keys that are there', ok);
        expect(login?.ok, `${label}: ${login?.output ?? ''}`).toBe(shouldLogIn);
      }
    }, 120_000);
  }
});
