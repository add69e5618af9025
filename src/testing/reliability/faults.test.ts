/**
 * Faults, through the HTTP API of a real server: a full disk, a read-only file system, a
 * missing home, `~/.ssh` that is a file, an authorized_keys that is a directory or that the
 * user cannot read, a lock left by a killed process and one held by a live one. Each answers
 * with a file-error whose message says what to do, and nothing in the file is lost; once the
 * fault is gone, the next change goes through.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localModeConfig, proxyModeConfig } from '../server-config.ts';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import { startServer, type RunningServer } from '../../server/node/node-server.ts';
import { httpRequest, type TestResponse } from '../http.ts';
import { ensureTestUser, makeTestDir, resetSshDir, type TestUser } from '../sshd.ts';
import { killAllChildren } from './child-processes.ts';
import { freshKeys, type FreshKey } from './fresh-keys.ts';
import { REPO_ROOT } from './node-script.ts';
import { createSecretScanner } from './secret-scan.ts';
import { createSummary } from './summary-table.ts';

const summary = createSummary('faults');
const secrets = createSecretScanner();
const token = 'faults-token-91c0e2d7a4b35f68';
const mounts: string[] = [];
const servers: RunningServer[] = [];
const dirs: string[] = [];
let keys: FreshKey[];
let user: TestUser;
let printed = '';

function key(index: number): FreshKey {
  const found = keys[index];
  if (found === undefined) throw new Error(`no key ${index}`);
  return found;
}

async function localServer(home: string): Promise<RunningServer> {
  const server = await startServer(localModeConfig(token, home));
  servers.push(server);
  return server;
}

async function call(
  server: RunningServer,
  method: 'GET' | 'POST' | 'DELETE',
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = { Authorization: `Bearer ${token}` },
): Promise<TestResponse> {
  const response = await httpRequest({
    port: server.port,
    method,
    path: urlPath,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  secrets.capture(`${method} ${urlPath}`, response.body);
  return response;
}

/** POST through fetch: the lock cases wait longer than httpRequest's 10 s limit. */
async function slowAdd(server: RunningServer, index: number): Promise<TestResponse> {
  const response = await fetch(`${server.origin}${apiPaths.sshKeys}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicKey: key(index).publicLine, name: `k${index}` }),
    signal: AbortSignal.timeout(40_000),
  });
  const body = await response.text();
  secrets.capture('POST (lock)', body);
  return { status: response.status, headers: {}, body };
}

const add = (server: RunningServer, index: number) =>
  call(server, 'POST', apiPaths.sshKeys, { publicKey: key(index).publicLine, name: `k${index}` });
const remove = (server: RunningServer, index: number) =>
  call(server, 'DELETE', apiPaths.sshKey(key(index).fingerprint));

/** Asserts a file-error with this status whose message matches every pattern. */
function expectFileError(response: TestResponse, status: number, patterns: readonly RegExp[]) {
  expect(response.status, response.body).toBe(status);
  const { error } = errorResponseSchema.parse(JSON.parse(response.body));
  expect(error.code).toBe('file-error');
  for (const pattern of patterns) expect(error.message).toMatch(pattern);
}

/** A home with ~/.ssh (0700) and an authorized_keys (0600) holding keys 0 and 1. */
function seedHome(home: string): { file: string; original: string } {
  const file = path.join(home, '.ssh', 'authorized_keys');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const original = `# mine\n${key(0).publicLine}\n${key(1).publicLine}\n`;
  fs.writeFileSync(file, original, { mode: 0o600 });
  return { file, original };
}

function tmpfs(prefix: string, size: string): string {
  const mount = makeTestDir(prefix);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mount]);
  mounts.push(mount);
  return mount;
}

/** Runs `check`, counting its outcome in the summary row `name`. */
async function fault(name: string, check: () => Promise<void>): Promise<void> {
  let ok = false;
  try {
    await check();
    ok = true;
  } finally {
    summary.count(name, ok);
  }
}

beforeAll(async () => {
  keys = await freshKeys(6, 'fault');
  user = ensureTestUser('keysmith-r2');
  secrets.secret('sign-in token', token);
  // Whatever the in-process servers print (console.error of unexpected failures) is scanned.
  for (const method of ['error', 'warn', 'log'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed += `${args.map(String).join(' ')}\n`;
      original(...args);
    });
  }
});

afterAll(async () => {
  killAllChildren();
  await Promise.all(servers.map((server) => server.close()));
  for (const mount of mounts) {
    execFileSync('umount', ['-l', mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  }
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  resetSshDir(user);
  vi.restoreAllMocks();
  secrets.capture('server console', printed);
  const found = secrets.findings();
  summary.count(
    `no secret in ${secrets.captured()} captured outputs and bodies`,
    found.length === 0,
  );
  summary.finish();
  expect(found).toEqual([]);
});

describe('each fault: a clear error that says what to do, nothing lost', () => {
  it('a full disk', () =>
    fault('disk full (tmpfs): add and remove refused, then add works', async () => {
      const home = tmpfs('full', '64k');
      const { file, original } = seedHome(home);
      const server = await localServer(home);
      const filler = path.join(home, 'filler');
      const handle = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(handle, Buffer.alloc(1024));
      } catch {
        // ENOSPC: full now.
      } finally {
        fs.closeSync(handle);
      }
      expectFileError(await add(server, 2), 500, [/is full/, /Free some space/, /unchanged/]);
      expectFileError(await remove(server, 0), 500, [/is full/, /Free some space/]);
      expect(fs.readFileSync(file, 'utf8')).toBe(original);
      fs.rmSync(filler);
      expect((await add(server, 2)).status).toBe(201);
      expect(fs.readFileSync(file, 'utf8').startsWith(original)).toBe(true);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['authorized_keys']);
    }));

  it('a read-only file system', () =>
    fault('read-only file system: changes refused, list works, then add works', async () => {
      const home = tmpfs('rofs', '256k');
      const { file, original } = seedHome(home);
      const server = await localServer(home);
      execFileSync('mount', ['-o', 'remount,ro', home]);
      expectFileError(await add(server, 2), 500, [/read-only file system/, /administrator/]);
      expectFileError(await remove(server, 0), 500, [/read-only file system/]);
      const list = listKeysResponseSchema.parse(
        JSON.parse((await call(server, 'GET', apiPaths.sshKeys)).body),
      );
      expect(list.keys.map((k) => k.fingerprint)).toEqual([key(0).fingerprint, key(1).fingerprint]);
      expect(fs.readFileSync(file, 'utf8')).toBe(original);
      execFileSync('mount', ['-o', 'remount,rw', home]);
      expect((await add(server, 2)).status).toBe(201);
    }));

  it('a missing home directory', () =>
    fault('missing home: add refused, nothing created, list empty', async () => {
      const parent = makeTestDir('nohome');
      dirs.push(parent);
      const home = path.join(parent, 'gone');
      const server = await localServer(home);
      expectFileError(await add(server, 2), 500, [/does not exist/, /home directory/]);
      expect(fs.existsSync(home)).toBe(false);
      const list = await call(server, 'GET', apiPaths.sshKeys);
      expect(list.status).toBe(200);
      expect(listKeysResponseSchema.parse(JSON.parse(list.body)).keys).toEqual([]);
    }));

  it('~/.ssh that is a file', () =>
    fault('~/.ssh is a file: add and list refused, the file untouched', async () => {
      const home = makeTestDir('sshfile');
      dirs.push(home);
      fs.writeFileSync(path.join(home, '.ssh'), 'my notes\n');
      const server = await localServer(home);
      expectFileError(await add(server, 2), 500, [/is not a directory/, /ls -ld/]);
      expectFileError(await call(server, 'GET', apiPaths.sshKeys), 500, [/is not a directory/]);
      expect(fs.readFileSync(path.join(home, '.ssh'), 'utf8')).toBe('my notes\n');
    }));

  it('authorized_keys that is a directory', () =>
    fault('authorized_keys is a directory: add refused, directory untouched', async () => {
      const home = makeTestDir('akdir');
      dirs.push(home);
      const file = path.join(home, '.ssh', 'authorized_keys');
      fs.mkdirSync(file, { recursive: true });
      fs.writeFileSync(path.join(file, 'inside'), 'x');
      const server = await localServer(home);
      expectFileError(await add(server, 2), 409, [/not a regular file/, /Move it away/]);
      expect(fs.readdirSync(file)).toEqual(['inside']);
      const list = listKeysResponseSchema.parse(
        JSON.parse((await call(server, 'GET', apiPaths.sshKeys)).body),
      );
      expect(list.warnings.map((w) => w.code)).toContain('not-a-file');
    }));

  it('an authorized_keys the user cannot read (proxy mode, the user process)', () =>
    fault('unreadable authorized_keys: add refused with the fix, list warns', async () => {
      resetSshDir(user);
      const file = path.join(user.home, '.ssh', 'authorized_keys');
      fs.mkdirSync(path.dirname(file), { mode: 0o700 });
      fs.chownSync(path.dirname(file), user.uid, user.gid);
      const original = `${key(0).publicLine}\n`;
      fs.writeFileSync(file, original, { mode: 0o600 });
      // root:root 0600: the user, and so sshd reading as the user, cannot read it.
      const server = await startServer(proxyModeConfig());
      servers.push(server);
      const headers = { 'X-Forwarded-User': user.name };
      const added = await call(
        server,
        'POST',
        apiPaths.sshKeys,
        { publicKey: key(2).publicLine },
        headers,
      );
      expectFileError(added, 500, [/Permission denied/, /ls -ld/, /unchanged/]);
      const list = listKeysResponseSchema.parse(
        JSON.parse((await call(server, 'GET', apiPaths.sshKeys, undefined, headers)).body),
      );
      const warning = list.warnings.find((w) => w.code === 'unreadable');
      expect(warning?.fix).toContain(`chown ${user.name}`);
      expect(fs.readFileSync(file, 'utf8')).toBe(original);
    }));

  it('a lock left by a killed process, and one held by a live process', async () => {
    const lockChild = (file: string) => {
      const script = [
        "import lockfile from 'proper-lockfile';",
        'await lockfile.lock(process.argv[1], { realpath: false, stale: 10000 });',
        "process.stdout.write('locked\\n');",
        'setInterval(() => undefined, 1000);',
      ].join('\n');
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', file], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return new Promise<typeof child>((resolve, reject) => {
        child.stdout.on('data', () => resolve(child));
        child.on('close', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
    };

    const dead = fault('lock held by a killed process: taken over within 15 s', async () => {
      const home = makeTestDir('deadlock');
      dirs.push(home);
      const { file, original } = seedHome(home);
      const server = await localServer(home);
      const holder = await lockChild(file);
      holder.kill('SIGKILL');
      const started = performance.now();
      const response = await slowAdd(server, 3);
      const seconds = (performance.now() - started) / 1000;
      summary.note(
        'lock held by a killed process: taken over within 15 s',
        `took ${seconds.toFixed(1)} s`,
      );
      expect(response.status, response.body).toBe(201);
      expect(seconds).toBeLessThanOrEqual(15);
      expect(fs.readFileSync(file, 'utf8').startsWith(original)).toBe(true);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['authorized_keys']);
    });

    const live = fault('lock held by a live process: 503 "try again", file unchanged', async () => {
      const home = makeTestDir('livelock');
      dirs.push(home);
      const { file, original } = seedHome(home);
      const server = await localServer(home);
      const holder = await lockChild(file);
      try {
        expectFileError(await slowAdd(server, 4), 503, [/Another change/, /Try again/]);
        expect(fs.readFileSync(file, 'utf8')).toBe(original);
      } finally {
        holder.kill('SIGKILL');
      }
    });
    await Promise.all([dead, live]);
  }, 60_000);
});
