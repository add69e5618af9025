/**
 * The file store on a real file system: modes, StrictModes warnings and their fixes, links,
 * faults (read-only file system, full disk, permission denied) and several processes at once.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listKeysResponseSchema, toWireList, type SshKey } from '../../../api/ssh-keys.ts';
import { addKey, removeKey } from '../../keys-file/edits.ts';
import { listKeys } from '../../keys-file/listing.ts';
import { createFileKeyStore } from './file-key-store.ts';
import { KeyStoreError } from '../../store/key-store.ts';
import { runInUserProcess } from '../user-process/user-process-store.ts';
import { makeTestKey, type TestKey } from '../../../testing/ssh-keygen.ts';
import { ensureTestUser, makeTestDir, type TestUser } from '../../../testing/sshd.ts';

let dir: string;
const keys: TestKey[] = [];
const now = new Date('2026-03-04T05:06:07Z');
let counter = 0;

function key(index: number): TestKey {
  const found = keys[index];
  if (found === undefined) throw new Error(`no test key ${index}`);
  return found;
}

/** A fresh home with an optional authorized_keys text and modes. */
function makeHome(text?: string | Buffer, mode = 0o600) {
  counter += 1;
  const home = path.join(dir, `home${counter}`);
  fs.mkdirSync(home, { mode: 0o755 });
  fs.chmodSync(home, 0o755);
  const file = path.join(home, '.ssh', 'authorized_keys');
  if (text !== undefined) {
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
  }
  const store = createFileKeyStore({ path: file, home, user: 'ada', now: () => now });
  return { home, file, store };
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

function leftovers(ssh: string): string[] {
  return fs.readdirSync(ssh).filter((name) => name !== 'authorized_keys');
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-store-'));
  for (let i = 0; i < 10; i += 1) keys.push(makeTestKey(dir, `k${i}`));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('modes', () => {
  it('creates ~/.ssh 0700 and authorized_keys 0600 when missing', async () => {
    const { file, store } = makeHome();
    await store.add({ publicKey: key(0).publicLine }, now);
    expect(fs.statSync(path.dirname(file)).mode & 0o7777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o7777).toBe(0o600);
    expect(leftovers(path.dirname(file))).toEqual([]);
  });

  it('keeps the existing mode and owner of the file (never loosens, never surprises)', async () => {
    for (const mode of [0o600, 0o640, 0o400]) {
      const { file, store } = makeHome('# mine\n', mode);
      fs.chownSync(file, 4242, 4343);
      await store.add({ publicKey: key(0).publicLine }, now);
      const stat = fs.statSync(file);
      expect([stat.mode & 0o7777, stat.uid, stat.gid]).toEqual([mode, 4242, 4343]);
    }
  });

  it('keeps every byte of a file it did not write', async () => {
    const original = `# mine\r\n\r\nno-pty ${key(1).publicLine}\r\n  # indented\n${key(2).publicLine}`;
    const { file, store } = makeHome(original);
    await store.add({ publicKey: key(0).publicLine, name: 'x' }, now);
    expect(fs.readFileSync(file, 'utf8').startsWith(`${original}\n`)).toBe(true);
    await store.remove(key(0).fingerprint);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${original}\n`);
    await store.remove(key(1).fingerprint);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      `# mine\r\n\r\n  # indented\n${key(2).publicLine}\n`,
    );
  });
});

describe('writing an edited file', () => {
  it('copies unchanged bytes, for ASCII files and for files with other characters', async () => {
    for (const original of [
      `# plain\n${key(1).publicLine}\n# end`,
      `# ключи ✓ 🔑\n${key(1).publicLine}\n# fin\u00e9`,
      `\uFEFF# bom\r\n${key(1).publicLine}\r\n`,
    ]) {
      const { file, store } = makeHome(original);
      await store.add({ publicKey: key(0).publicLine, name: 'x' }, now);
      await store.add({ publicKey: key(2).publicLine, name: 'y' }, now);
      await store.remove(key(0).fingerprint);
      await store.remove(key(1).fingerprint);
      // The same edits on the text, by the model the mock's memory store uses.
      let text = addKey(original, { publicKey: key(0).publicLine, name: 'x' }, now).text;
      text = addKey(text, { publicKey: key(2).publicLine, name: 'y' }, now).text;
      text = removeKey(removeKey(text, key(0).fingerprint), key(1).fingerprint);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
      expect((await store.list()).keys.map((k) => k.fingerprint)).toEqual([key(2).fingerprint]);
    }
  });
});

describe('the cache of the last read', () => {
  async function body(store: ReturnType<typeof makeHome>['store']): Promise<string> {
    const bytes = await store.listBody?.();
    if (bytes === undefined) throw new Error('the file store serves listBody');
    return Buffer.from(bytes).toString('utf8');
  }
  /** The keys of that body, as the browser app reads them. */
  async function bodyKeys(store: ReturnType<typeof makeHome>['store']): Promise<SshKey[]> {
    return listKeysResponseSchema.parse(JSON.parse(await body(store))).keys;
  }

  it('serves the very bytes JSON.stringify(toWireList(list())) gives, before and after changes', async () => {
    const { home, store } = makeHome(`# mine\n${key(1).publicLine}\n`);
    fs.chmodSync(home, 0o775); // a StrictModes warning, computed afresh on every request
    expect(await body(store)).toBe(JSON.stringify(toWireList(await store.list())));
    await store.add({ publicKey: key(2).publicLine, name: 'two' }, now);
    expect(await body(store)).toBe(JSON.stringify(toWireList(await store.list())));
    fs.chmodSync(home, 0o755);
    await store.remove(key(1).fingerprint);
    const listed = await store.list();
    expect(await body(store)).toBe(JSON.stringify(toWireList(listed)));
    expect(listed.warnings).toEqual([]);
    expect(listed.keys.map((k) => [k.fingerprint, k.line])).toEqual([[key(2).fingerprint, 3]]);
  });

  it('sees a change by another writer even with the same size, inode and time', async () => {
    const { file, store } = makeHome(`${key(1).publicLine}\n`);
    await body(store);
    await store.list();
    // Same length (ed25519 lines with equal comments), rewritten in place, times put back.
    const before = fs.statSync(file);
    const other = key(2).publicLine.replace(/ \S+$/, ` ${key(1).publicLine.split(' ')[2] ?? ''}`);
    expect(other.length).toBe(key(1).publicLine.length);
    fs.writeFileSync(file, `${other}\n`);
    fs.utimesSync(file, before.atime, before.mtime);
    const after = fs.statSync(file);
    expect([after.ino, after.size]).toEqual([before.ino, before.size]);
    // utimes keeps whole microseconds at best: the same time as far as a stat cache could tell.
    expect(Math.abs(after.mtimeMs - before.mtimeMs)).toBeLessThan(1);
    expect(JSON.parse(await body(store))).toMatchObject({
      keys: [{ fingerprint: key(2).fingerprint }],
    });
    // A change reads the file again under the lock and keeps the other writer's line.
    fs.writeFileSync(file, `${key(3).publicLine}\n`);
    await store.add({ publicKey: key(4).publicLine }, now);
    expect(fs.readFileSync(file, 'utf8').startsWith(`${key(3).publicLine}\n`)).toBe(true);
    expect((await store.list()).keys.map((k) => k.fingerprint)).toEqual([
      key(3).fingerprint,
      key(4).fingerprint,
    ]);
  });

  it('sees one byte changed by another writer anywhere in a file it has edited', async () => {
    // After adds and a delete the cache holds the bytes the store wrote itself: a byte another
    // writer changed anywhere in them must be seen.
    for (const changed of [1, 2, 4, 5]) {
      const { file, store } = makeHome(`${key(1).publicLine}\n`);
      for (const i of [2, 3, 4, 5]) {
        await store.add({ publicKey: key(i).publicLine, name: `k${i}` }, now);
      }
      await store.remove(key(3).fingerprint);
      const text = fs.readFileSync(file, 'utf8');
      expect(await body(store)).toBe(JSON.stringify(toWireList(await store.list())));
      // The last letter of key `changed`'s comment, replaced in place: same size.
      const line = key(changed).publicLine;
      const at = text.indexOf(line) + line.length - 1;
      const other = `${text.slice(0, at)}${text[at] === 'x' ? 'y' : 'x'}${text.slice(at + 1)}`;
      fs.writeFileSync(file, other);
      const expected = listKeys(other, now);
      expect(expected.map((k) => k.comment)).not.toEqual(listKeys(text, now).map((k) => k.comment));
      expect(await bodyKeys(store)).toEqual(expected);
      expect((await store.list()).keys).toEqual(expected);
      // A change reads it again too, and keeps the other writer's byte.
      await store.add({ publicKey: key(6).publicLine }, now);
      expect(fs.readFileSync(file, 'utf8')).toBe(
        addKey(other, { publicKey: key(6).publicLine }, now).text,
      );
    }
  });

  it('marks a key expired once the clock passes its expiry, and not before', async () => {
    let clock = new Date('2026-03-04T05:06:06Z');
    const { file, home } = makeHome(`expiry-time="20260304050607Z" ${key(1).publicLine}\n`);
    const store = createFileKeyStore({ path: file, home, user: 'ada', now: () => clock });
    const expired = async () => (await bodyKeys(store)).map((k) => k.expired);
    expect(await expired()).toEqual([false]);
    clock = new Date('2026-03-04T05:06:07.001Z');
    expect(await expired()).toEqual([true]);
    clock = new Date('2026-03-04T05:06:00Z');
    expect(await expired()).toEqual([false]);
  });

  it('still refuses to rewrite a non-UTF-8 file it has listed', async () => {
    const original = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const { file, store } = makeHome(original);
    expect((await store.list()).keys).toEqual([]);
    await body(store);
    const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
    expect([error.status, error.code]).toEqual([409, 'file-error']);
    expect(fs.readFileSync(file).equals(original)).toBe(true);
  });
});

describe('a symbolic link', () => {
  it('reports a symbolic link, neither reads nor writes through it, and leaves the target alone', async () => {
    const { file, store } = makeHome(`${key(0).publicLine}\n`);
    const target = path.join(dir, `target${counter}`);
    fs.writeFileSync(target, `${key(1).publicLine}\n`);
    fs.rmSync(file);
    fs.symlinkSync(target, file);
    const listed = await store.list();
    expect(listed.warnings.map((w) => w.code)).toContain('symlink');
    expect(listed.keys).toEqual([]);
    const error = await failure(store.add({ publicKey: key(2).publicLine }, now));
    expect([error.status, error.code]).toEqual([409, 'file-error']);
    expect(error.message).toContain('symbolic link');
    await failure(store.remove(key(1).fingerprint));
    expect(fs.readFileSync(target, 'utf8')).toBe(`${key(1).publicLine}\n`);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
  });
});

describe('refusals and faults leave the old file intact', () => {
  const mounts: string[] = [];
  afterEach(() => {
    for (const mount of mounts.splice(0)) {
      execFileSync('umount', ['-l', mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  it('says so clearly when a part of the path is not a directory', async () => {
    const { home } = makeHome();
    fs.writeFileSync(path.join(home, '.ssh'), 'not a directory');
    const store = createFileKeyStore({
      path: path.join(home, '.ssh', 'authorized_keys'),
      home,
      user: 'ada',
    });
    const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
    expect(error.code).toBe('file-error');
    expect(error.message).toContain('is not a directory');
    expect(fs.readFileSync(path.join(home, '.ssh'), 'utf8')).toBe('not a directory');
  });

  it('refuses to rewrite a file with bytes that are not UTF-8', async () => {
    const original = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const { file, store } = makeHome(original);
    const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
    expect([error.status, error.code]).toEqual([409, 'file-error']);
    expect(fs.readFileSync(file).equals(original)).toBe(true);
  });

  it('says so clearly on a read-only file system', async () => {
    const mount = makeTestDir('rofs');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    mounts.push(mount);
    const file = path.join(mount, '.ssh', 'authorized_keys');
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    fs.writeFileSync(file, `# before\n${key(1).publicLine}\n`, { mode: 0o600 });
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const store = createFileKeyStore({ path: file, home: mount, user: 'ada' });
    const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
    expect(error.code).toBe('file-error');
    expect(error.message).toContain('read-only file system');
    expect(error.message).toContain('unchanged');
    expect(fs.readFileSync(file, 'utf8')).toBe(`# before\n${key(1).publicLine}\n`);
  });

  it('says so clearly on a full disk, and leaves no temporary file', async () => {
    const mount = makeTestDir('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
    mounts.push(mount);
    const file = path.join(mount, '.ssh', 'authorized_keys');
    fs.mkdirSync(path.dirname(file), { mode: 0o700 });
    const original = `# before\n${key(1).publicLine}\n`;
    fs.writeFileSync(file, original, { mode: 0o600 });
    const store = createFileKeyStore({ path: file, home: mount, user: 'ada' });
    // Take the lock directory's place first, then fill every block that is left.
    const filler = path.join(mount, 'filler');
    const handle = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(handle, Buffer.alloc(1024));
    } catch {
      // ENOSPC: the disk is full now.
    } finally {
      fs.closeSync(handle);
    }
    const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
    expect(error.code).toBe('file-error');
    expect(error.message).toMatch(/full/);
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    expect(leftovers(path.dirname(file))).toEqual([]);
  });

  it('says so clearly when permission is denied (a user process against root-owned files)', async () => {
    const user: TestUser = ensureTestUser('keysmith-t2');
    const home = makeTestDir('denied');
    const file = path.join(home, '.ssh', 'authorized_keys');
    fs.mkdirSync(path.dirname(file), { mode: 0o755 });
    fs.writeFileSync(file, `${key(1).publicLine}\n`, { mode: 0o644 });
    const account = { name: user.name, uid: user.uid, gid: user.gid, home };
    const error = await failure(
      runInUserProcess({
        op: 'add',
        account,
        path: file,
        request: { publicKey: key(0).publicLine },
        now: now.toISOString(),
      }),
    );
    expect(error.code).toBe('file-error');
    expect(error.message).toContain('Permission denied');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key(1).publicLine}\n`);
    fs.rmSync(home, { recursive: true, force: true });
  });
});

describe('several processes at once', () => {
  it('takes over the lock of a process that died holding it', async () => {
    const { file, store } = makeHome('# mine\n');
    const lock = `${file}.lock`;
    fs.mkdirSync(lock);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, past, past);
    await store.add({ publicKey: key(0).publicLine }, now);
    expect(fs.readFileSync(file, 'utf8')).toContain(key(0).publicLine);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('waits for a live lock and answers 503 when it is never released', async () => {
    const { home, file } = makeHome('# mine\n');
    const store = createFileKeyStore({ path: file, home, user: 'ada', lockWaitMs: 1500 });
    const lock = `${file}.lock`;
    fs.mkdirSync(lock);
    // Keep it fresh like a live holder does (proper-lockfile touches its lock every 5 s).
    const touch = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 200);
    try {
      const error = await failure(store.add({ publicKey: key(0).publicLine }, now));
      expect([error.status, error.code]).toEqual([503, 'file-error']);
      expect(error.message).toContain('Try again');
      expect(fs.readFileSync(file, 'utf8')).toBe('# mine\n');
    } finally {
      clearInterval(touch);
    }
  });

  it('keeps every key when processes add at the same time (the lock holds across processes)', async () => {
    const { home, file } = makeHome('# shared\n');
    const script = [
      "import { createFileKeyStore } from './src/server/node/file-store/file-key-store.ts';",
      'const [file, home, publicKey, startAt] = process.argv.slice(1);',
      // All start the change in the same instant, so without the lock writes would be lost.
      // Node 23+ warns on stderr about a negative delay, which a slow start gives.
      'await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));',
      "const store = createFileKeyStore({ path: file, home, user: 'ada' });",
      'await store.add({ publicKey }, new Date());',
    ].join('\n');
    const count = 8;
    const startAt = String(Date.now() + 4000);
    const results = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<{ code: number | null; err: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                '--input-type=module',
                '-e',
                script,
                '--',
                file,
                home,
                key(i).publicLine,
                startAt,
              ],
              { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
            );
            let err = '';
            child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
            child.on('close', (code) => resolve({ code, err }));
          }),
      ),
    );
    expect(results).toEqual(Array.from({ length: count }, () => ({ code: 0, err: '' })));
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('# shared\n')).toBe(true);
    const listed = listKeys(text, now);
    expect(listed.map((k) => k.fingerprint).sort()).toEqual(
      keys
        .slice(0, count)
        .map((k) => k.fingerprint)
        .sort(),
    );
    expect(listed.every((k) => k.managed)).toBe(true);
    expect(leftovers(path.dirname(file))).toEqual([]);
  });
});
