/**
 * The per-user helper (user-process-helper.pl) for real, as root with real test users: it runs
 * only as the account it was started for, never as root; it reads no link; its lock works
 * with the Node file store's under concurrency; and a broken frame either way costs one request.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStoreError } from '../../store/key-store.ts';
import { makeTestKey, sshKeygenFingerprints, type TestKey } from '../../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  type TestUser,
  authorizedKeysOf as fileOf,
  accountOf as account,
} from '../../../testing/sshd.ts';
import { killAllChildren, runWriter } from '../../../testing/reliability/child-processes.ts';
import { strictModesWarnings } from '../file-store/strict-modes.ts';
import { createUserProcessPool, DEFAULT_POOL_OPTIONS } from './user-process-pool.ts';
import { helperArgv, helperConstants } from './user-process-spawn.ts';
import {
  createReplyReader,
  encodeRequest,
  errnoName,
  type HelperReply,
} from './user-process-protocol.ts';
import { createUserProcessKeyStore, runKeyOperation } from './user-process-store.ts';

const HELPER = DEFAULT_POOL_OPTIONS.helperScript;
let alice: TestUser;
let bob: TestUser;
let dir: string;
const keys: TestKey[] = [];

function key(index: number): TestKey {
  const found = keys[index];
  if (found === undefined) throw new Error(`no test key ${index}`);
  return found;
}

/** Runs the helper for `u` with `input` on its stdin; its replies, exit code and stderr. */
async function converse(
  argv: string[],
  input: Buffer,
): Promise<{ replies: HelperReply[]; code: number | null; stderr: string }> {
  const child = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const read = createReplyReader();
  const replies: HelperReply[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => replies.push(...read(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { replies, code, stderr };
}

function asUser(u: TestUser, file = fileOf(u)): string[] {
  return ['/usr/bin/setpriv', ...helperArgv(account(u), file)];
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

beforeAll(() => {
  alice = ensureTestUser('keysmith-h1');
  bob = ensureTestUser('keysmith-h2');
  resetSshDir(alice);
  resetSshDir(bob);
  dir = makeTestDir('helper');
  fs.chmodSync(dir, 0o700);
  for (let index = 0; index < 22; index += 1) keys.push(makeTestKey(dir, `h${index}`));
});

afterAll(() => {
  resetSshDir(alice);
  resetSshDir(bob);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('who the helper runs as', () => {
  it('answers as the account, every id of it, with no capabilities', async () => {
    const pool = createUserProcessPool({ maxProcesses: 1 });
    try {
      const answer = await pool.run(account(alice), fileOf(alice), async (helper) => {
        await helper.request({ op: 'read' });
        return null;
      });
      const status = fs.readFileSync(`/proc/${answer.pid}/status`, 'utf8');
      const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1];
      expect(field('Uid')?.split(/\s+/).map(Number)).toEqual(Array(4).fill(alice.uid));
      expect(field('Gid')?.split(/\s+/).map(Number)).toEqual(Array(4).fill(alice.gid));
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) {
        expect(field(set), set).toBe('0000000000000000');
      }
      expect(field('NoNewPrivs')).toBe('1');
    } finally {
      await pool.close();
    }
  });

  it('refuses to start as root', async () => {
    const { replies, code, stderr } = await converse(
      [
        '/usr/bin/perl',
        '-T',
        HELPER,
        String(alice.uid),
        String(alice.gid),
        alice.home,
        fileOf(alice),
        ...helperConstants(),
      ],
      Buffer.from('1 read\n'),
    );
    expect(replies).toEqual([]);
    expect(code).toBe(78);
    expect(stderr).toMatch(/runs as uid 0\/0.*start it through setpriv/);
  });

  it('refuses ids that did not drop: root left as the real uid, or another account', async () => {
    const effectiveOnly = await converse(
      [
        '/usr/bin/setpriv',
        `--euid=${alice.uid}`,
        `--egid=${alice.gid}`,
        '--clear-groups',
        '--',
        '/usr/bin/perl',
        '-T',
        HELPER,
        String(alice.uid),
        String(alice.gid),
        alice.home,
        fileOf(alice),
        ...helperConstants(),
      ],
      Buffer.from('1 read\n'),
    );
    expect([effectiveOnly.code, effectiveOnly.replies]).toEqual([78, []]);
    expect(effectiveOnly.stderr).toMatch(/runs as uid 0\//);
    // Started as bob but told it serves alice.
    const argv = ['/usr/bin/setpriv', ...helperArgv(account(bob), fileOf(alice))];
    argv.splice(argv.indexOf(HELPER) + 1, 2, String(alice.uid), String(alice.gid));
    const other = await converse(argv, Buffer.from('1 read\n'));
    expect([other.code, other.replies]).toEqual([78, []]);
    expect(other.stderr).toMatch(new RegExp(`not ${alice.uid}/${alice.gid}`));
    const asRoot = spawnSync('/usr/bin/perl', [
      '-T',
      HELPER,
      ...['0', '0', '/root', '/root/x'],
      ...helperConstants(),
    ]);
    expect(asRoot.status).toBe(78);
  });

  it('refuses to start without every constant, each a number given once', async () => {
    const argv = asUser(alice);
    const constants = argv.indexOf(fileOf(alice)) + 1;
    const withConstants = (edit: (given: string[]) => string[]) => [
      ...argv.slice(0, constants),
      ...edit(argv.slice(constants)),
    ];
    const cases: [string[], RegExp][] = [
      [
        withConstants((given) => given.filter((c) => !c.startsWith('O_NOFOLLOW='))),
        /O_NOFOLLOW is missing/,
      ],
      [
        withConstants((given) => given.filter((c) => !c.startsWith('ENOENT='))),
        /ENOENT is missing/,
      ],
      [
        withConstants((given) => [
          ...given.filter((c) => !c.startsWith('O_CREAT=')),
          'O_CREAT=0x40',
        ]),
        /'O_CREAT=0x40' is not NAME=NUMBER/,
      ],
      [withConstants((given) => [...given, 'O_EXCL=']), /'O_EXCL=' is not NAME=NUMBER/],
      [
        withConstants((given) => [
          ...given.filter((c) => !c.startsWith('O_NOFOLLOW=')),
          'O_NOFOLLOW=0',
        ]),
        /O_NOFOLLOW is 0/,
      ],
      [withConstants((given) => [...given, 'O_TRUNC=512']), /'O_TRUNC=512' is not NAME=NUMBER/],
      [withConstants((given) => [...given, 'O_EXCL=128']), /O_EXCL given twice/],
    ];
    for (const [started, message] of cases) {
      const { replies, code, stderr } = await converse(started, Buffer.from('1 read\n'));
      expect([code, replies], started.join(' ')).toEqual([78, []]);
      expect(stderr).toMatch(message);
    }
  });
});

describe('the file system calls', () => {
  it('reads no link: a link bob planted to alice’s file is reported, never read or written', async () => {
    resetSshDir(alice);
    resetSshDir(bob);
    const target = fileOf(alice);
    fs.mkdirSync(path.dirname(target), { mode: 0o700 });
    fs.writeFileSync(target, `${key(0).publicLine}\n`, { mode: 0o644 });
    fs.chownSync(path.dirname(target), alice.uid, alice.gid);
    fs.chownSync(target, alice.uid, alice.gid);
    const planted = fileOf(bob);
    fs.mkdirSync(path.dirname(planted), { mode: 0o700 });
    fs.chownSync(path.dirname(planted), bob.uid, bob.gid);
    fs.symlinkSync(target, planted);
    fs.lchownSync(planted, bob.uid, bob.gid);
    const { replies, code } = await converse(
      asUser(bob),
      Buffer.concat([
        encodeRequest(1, { op: 'read' }),
        encodeRequest(2, { op: 'lock', waitMs: 0 }),
      ]),
    );
    expect(code).toBe(0);
    const [read, locked] = replies;
    expect(read?.header).toMatchObject({ ok: true, file: { type: 'link' } });
    expect(read?.header.ok === true && 'read' in read.header && errnoName(read.header.read)).toBe(
      'ELOOP',
    );
    expect(read?.bytes.length).toBe(0);
    expect(locked?.header).toMatchObject({ ok: false, action: 'reading' });
    expect(locked?.header.ok === false && errnoName(locked.header.errno)).toBe('ELOOP');
    expect(fs.existsSync(`${planted}.lock`)).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe(`${key(0).publicLine}\n`);
    expect(fs.lstatSync(planted).isSymbolicLink()).toBe(true);
  });

  it('keeps every key of 20 writers at once: 10 local-mode processes and 10 helper requests', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    // Four pools, so that four helpers of alice race each other as well as the Node writers.
    const pools = [1, 2, 3, 4].map(() => createUserProcessPool({ maxPerUser: 20 }));
    const now = new Date();
    const startAt = Date.now() + 3000;
    try {
      const writers = Array.from({ length: 10 }, (_, index) =>
        runWriter(
          {
            path: file,
            home: alice.home,
            now: now.toISOString(),
            startAt,
            ops: [{ op: 'add', publicKey: key(1 + index).publicLine }],
          },
          { uid: alice.uid, gid: alice.gid, home: alice.home },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
      const helpers = Array.from({ length: 10 }, (_, index) =>
        createUserProcessKeyStore(
          pools[index % 4] ?? createUserProcessPool(),
          account(alice),
          file,
        ).add({ publicKey: key(11 + index).publicLine }, now),
      );
      const results = await Promise.allSettled([...writers, ...helpers]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      for (const writer of await Promise.all(writers)) {
        expect([writer.acked, writer.failed], writer.output).toEqual([[0], []]);
      }
      const expected = keys
        .slice(1, 21)
        .map((k) => k.fingerprint)
        .sort();
      expect(sshKeygenFingerprints(file).sort()).toEqual(expected);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['authorized_keys']);
      const stat = fs.statSync(file);
      expect([stat.uid, stat.mode & 0o777]).toEqual([alice.uid, 0o600]);
    } finally {
      killAllChildren();
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('writes with fsync by its syscall number and the flags it is given, loading no XS module', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    const pool = createUserProcessPool();
    try {
      const store = createUserProcessKeyStore(pool, account(alice), file);
      await store.add({ publicKey: key(0).publicLine }, new Date());
      const [helper] = pool.snapshot().helpers;
      // Fcntl and IO are XS modules: loading one maps its shared object (perlxs(1)).
      const maps = fs.readFileSync(`/proc/${helper?.pid ?? 0}/maps`, 'utf8');
      expect(maps).toMatch(/perl/);
      expect(maps).not.toMatch(/\/auto\//);
      expect(sshKeygenFingerprints(file)).toEqual([key(0).fingerprint]);
      const stat = fs.statSync(file);
      expect([stat.uid, stat.mode & 0o777]).toEqual([alice.uid, 0o600]);
    } finally {
      await pool.close();
    }
  });

  it('writes through Perl’s IO where the server knows no fsync syscall number', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    const argv = asUser(alice).filter((arg) => !arg.startsWith('SYS_fsync='));
    expect(argv).toEqual(asUser(alice).slice(0, argv.length));
    expect(helperConstants('ia32')).toEqual(argv.slice(argv.indexOf(file) + 1));
    const bytes = `${key(0).publicLine}\n`;
    const { replies, code } = await converse(
      argv,
      Buffer.concat([
        encodeRequest(1, { op: 'lock', waitMs: 1000 }),
        Buffer.from(`2 write ${bytes.length}\n${bytes}`),
      ]),
    );
    expect([code, replies.map((r) => r.header.ok)]).toEqual([0, [true, true]]);
    expect(sshKeygenFingerprints(file)).toEqual([key(0).fingerprint]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('takes over a dead writer’s stale lock and removes its temporary file, and only that', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    fs.chownSync(path.dirname(file), alice.uid, alice.gid);
    const lock = `${file}.lock`;
    fs.mkdirSync(lock);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, past, past);
    // A dead writer's temporary file, of exactly the Node store's pattern, and one that is not.
    fs.writeFileSync(path.join(path.dirname(file), '.authorized_keys.keysmith-0123456789ab'), 'x');
    fs.writeFileSync(path.join(path.dirname(file), '.authorized_keys.keysmith-other'), 'y');
    const pool = createUserProcessPool();
    try {
      const store = createUserProcessKeyStore(pool, account(alice), file);
      await store.add({ publicKey: key(0).publicLine }, new Date());
      expect(sshKeygenFingerprints(file)).toEqual([key(0).fingerprint]);
      expect(fs.existsSync(lock)).toBe(false);
      expect(fs.readdirSync(path.dirname(file)).sort()).toEqual([
        '.authorized_keys.keysmith-other',
        'authorized_keys',
      ]);
    } finally {
      await pool.close();
    }
  });
  it('reports the facts StrictModes looks at: the same warnings as the local store finds', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    fs.writeFileSync(file, `${key(0).publicLine}\n`);
    fs.chownSync(path.dirname(file), alice.uid, alice.gid);
    fs.chownSync(file, bob.uid, bob.gid);
    fs.chmodSync(file, 0o664);
    fs.chmodSync(path.dirname(file), 0o770);
    fs.chmodSync(alice.home, 0o775);
    // The home as the passwd entry may name it: through a link, with a trailing `/.`.
    const links = makeTestDir('home-link');
    fs.chmodSync(links, 0o755);
    fs.symlinkSync(alice.home, path.join(links, 'home'));
    const viaLink = { ...account(alice), home: path.join(links, 'home', '.') };
    const pool = createUserProcessPool();
    try {
      const listed = await createUserProcessKeyStore(pool, viaLink, file).list();
      const local = strictModesWarnings({
        path: file,
        home: viaLink.home,
        user: alice.name,
        uid: alice.uid,
      });
      expect(listed.warnings.map((w) => w.code).sort()).toEqual([
        'dir-mode',
        'file-mode',
        'file-owner',
        'home-mode',
      ]);
      expect(listed.warnings).toEqual(local);
    } finally {
      await pool.close();
      fs.chmodSync(alice.home, 0o755);
      fs.rmSync(links, { recursive: true, force: true });
    }
  });
});

describe('broken frames', () => {
  it('exits on a truncated write and leaves the file and its lock as they were', async () => {
    resetSshDir(alice);
    const file = fileOf(alice);
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    fs.writeFileSync(file, `${key(0).publicLine}\n`, { mode: 0o600 });
    fs.chownSync(path.dirname(file), alice.uid, alice.gid);
    fs.chownSync(file, alice.uid, alice.gid);
    const truncated = await converse(
      asUser(alice),
      Buffer.concat([
        encodeRequest(1, { op: 'lock', waitMs: 0 }),
        Buffer.from('2 write 100\nssh-ed25519 AAAA'),
      ]),
    );
    expect(truncated.code).toBe(65);
    expect(truncated.replies.map((r) => r.header.ok)).toEqual([true]);
    const garbage = await converse(asUser(alice), Buffer.from('1 read\n1 delete everything\n'));
    expect(garbage.code).toBe(65);
    expect(garbage.replies.length).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key(0).publicLine}\n`);
    // A helper that dies holding the lock leaves it for proper-lockfile's stale rule, as a
    // killed Node writer does; the file is intact.
    fs.rmSync(`${file}.lock`, { recursive: true, force: true });
  });

  it('refuses a reply that is garbage, cut short, or from another uid: 500, and a new helper', async () => {
    resetSshDir(alice);
    // Readable by the user it runs as, unlike the keys' directory.
    const fakeDir = makeTestDir('fake-helper');
    fs.chmodSync(fakeDir, 0o755);
    const fake = path.join(fakeDir, 'fake-helper.pl');
    // Answers the first request as told by its FILE argument, then behaves.
    fs.writeFileSync(
      fake,
      [
        'my ($uid, $how) = ($ARGV[0], $ARGV[3]);',
        '$| = 1; my $line = <STDIN>; my ($id) = $line =~ /^(\\d+)/;',
        'if ($how =~ /garbage$/) { print "{\\"id\\":$id,\\"uid\\":$uid,\\"ok\\":true,\\"size\\":0,\\"x\\":1}\\n" }',
        'elsif ($how =~ /short$/) { print "{\\"id\\":$id,\\"uid\\":$uid,\\"ok\\":true,\\"read\\":\\"ok\\",\\"size\\":9}\\nabc"; exit 0 }',
        'elsif ($how =~ /uid$/) { my $other = $uid + 1; print "{\\"id\\":$id,\\"uid\\":$other,\\"ok\\":true,\\"size\\":0}\\n" }',
        'sleep 60;',
      ].join('\n'),
      { mode: 0o644 },
    );
    const pool = createUserProcessPool({ helperScript: fake });
    try {
      for (const how of ['garbage', 'short', 'uid']) {
        const error = await failure(
          runKeyOperation(pool, account(alice), `/nonexistent/${how}`, {
            op: 'add',
            request: { publicKey: key(0).publicLine },
            now: new Date(),
          }),
        );
        expect([error.status, error.code], how).toEqual([500, 'internal']);
        expect(error.message).toMatch(/retry/);
      }
      expect(pool.snapshot().helpers.filter((h) => h.busy)).toEqual([]);
    } finally {
      await pool.close();
      fs.rmSync(fakeDir, { recursive: true, force: true });
    }
  });
});
