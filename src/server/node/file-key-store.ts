/**
 * A KeyStore over a real authorized_keys file. Every change: a lock that holds between processes
 * (proper-lockfile: a `.lock` directory made with mkdir, atomic on local disks and NFS), read,
 * change in memory, write a temporary file in the same directory (0600), fsync, rename over,
 * fsync the directory. A crash or a full disk leaves the old file or the new one, never half.
 *
 * The store runs as the file's owner (local mode, or the privilege-dropped child in proxy mode),
 * so it never needs to follow a link: it refuses an authorized_keys that is a symbolic link.
 */
import fsSync, { constants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import lockfile, { type LockOptions } from 'proper-lockfile';
import type { FileWarning } from '../../api/ssh-keys.ts';
import {
  addKeyToModel,
  listIgnoredLines,
  listModelKeys,
  listModelJson,
  readModel,
  removeKeyFromModel,
  type AuthorizedKeysModel,
} from '../keys-file/authorized-keys-file.ts';
import { KeyStoreError, type KeyStore } from '../store/key-store.ts';

export interface FileKeyStoreOptions {
  /** Absolute path of the authorized_keys file. */
  path: string;
  /** The user's home directory: sshd's StrictModes checks every directory up to it. */
  home: string;
  /** The user name, for the fix commands shown with warnings. */
  user: string;
  /** The uid that must own the file and its directories (default: this process's uid). */
  uid?: number;
  /** Clock for marking keys expired in `list()`. */
  now?: () => Date;
  /** How long to wait for a lock another change holds (default 15 s). */
  lockWaitMs?: number;
}

/**
 * A file's bytes as consecutive parts. A change keeps the new file as views of the old file's
 * buffers plus its appended text, instead of copying them into a new buffer of the file's size:
 * every add or delete used to leave a megabyte of garbage behind, and the process grew by that
 * much per change until a full collection (figure 6).
 */
type FileBytes = readonly Buffer[];

interface CurrentFile {
  /** The file's bytes; null when there is no file yet. */
  bytes: FileBytes | null;
  /** Permission bits to keep on the new file. */
  mode: number;
  owner: { uid: number; gid: number } | null;
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function quote(value: string): string {
  return /^[A-Za-z0-9_./~-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Turns a file system failure into an error that names the problem and the way out.
 * Every such failure happens before the rename, so the old file is still intact.
 */
export function fileError(error: unknown, action: string, file: string): KeyStoreError {
  const code = errnoCode(error);
  const unchanged = 'authorized_keys is unchanged.';
  const dir = path.dirname(file);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new KeyStoreError(
        'file-error',
        500,
        `Permission denied ${action} ${file}. Check who owns it and its directory (ls -ld ${quote(dir)} ${quote(file)}); it must be you, with ~/.ssh 700 and the file 600. ${unchanged}`,
        { cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new KeyStoreError(
        'file-error',
        500,
        `The disk holding ${dir} is full (or your quota is used up). Free some space and try again. ${unchanged}`,
        { cause: error },
      );
    case 'EROFS':
      return new KeyStoreError(
        'file-error',
        500,
        `${dir} is on a read-only file system, so keys cannot be changed here. Ask your administrator where authorized_keys can be written. ${unchanged}`,
        { cause: error },
      );
    case 'ENOTDIR':
      return new KeyStoreError(
        'file-error',
        500,
        `A part of ${file} is not a directory. Check the path with ls -ld ${quote(dir)}. ${unchanged}`,
        { cause: error },
      );
    case 'ELOOP':
      return new KeyStoreError(
        'file-error',
        409,
        `${file} is a symbolic link, which Keysmith does not follow. Replace it with a regular file: cp --remove-destination "$(readlink -f ${quote(file)})" ${quote(file)} && chmod 600 ${quote(file)}`,
        { cause: error },
      );
    case 'ENOENT':
      return new KeyStoreError(
        'file-error',
        500,
        `${dir} does not exist and cannot be created (is the home directory there?). ${unchanged}`,
        { cause: error },
      );
    case 'ELOCKED':
      return new KeyStoreError(
        'file-error',
        503,
        `Another change to ${file} is in progress. Try again in a moment.`,
        { cause: error },
      );
    default:
      return new KeyStoreError(
        'file-error',
        500,
        `Could not ${action} ${file}${code === undefined ? '' : ` (${code})`}. ${unchanged}`,
        { cause: error },
      );
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** A file's bytes as last read or written by this process, with the model read from them. */
interface CachedFile {
  bytes: FileBytes;
  model: AuthorizedKeysModel;
  /** False when the bytes are not UTF-8: listed leniently (U+FFFD), never rewritten. */
  utf8: boolean;
  /** Every byte below 0x80: offsets into the model's text are offsets into the bytes. */
  ascii: boolean;
  /**
   * `listBody()`'s last answer, exact for clock times in (validAfter, validUntil] while the
   * warnings and path, serialized as `tail`, stay the same; the keys end at byte `keysEnd`.
   */
  listing?: {
    body: Uint8Array<ArrayBuffer>;
    keysEnd: number;
    tail: string;
    validAfter: number;
    validUntil: number;
  };
}

/**
 * The last read of each file, by path. An entry is used only when the file's bytes, read again
 * for every request (under the lock for a change), are exactly the cached ones: another process
 * may change the file at any time, and stat times are too coarse to prove it did not. Reading
 * 1 MB costs about a millisecond; parsing and listing 10,000 lines costs a hundred.
 */
const fileCache = new Map<string, CachedFile>();
const FILE_CACHE_MAX = 4;
const EMPTY: FileBytes = [];
/**
 * Parts a file's bytes may have before a change joins them into one buffer: each part is one
 * more read when comparing the file, and views keep buffers alive even when little of them is used.
 */
const MAX_PARTS = 64;

function byteLength(bytes: FileBytes): number {
  let length = 0;
  for (const part of bytes) length += part.length;
  return length;
}

/** Whether two files' parts hold the same bytes, wherever their parts begin and end. */
function sameBytes(a: FileBytes, b: FileBytes): boolean {
  if (byteLength(a) !== byteLength(b)) return false;
  let i = 0;
  let j = 0;
  let atA = 0;
  let atB = 0;
  for (;;) {
    const x = a[i];
    const y = b[j];
    if (x === undefined || y === undefined) return true;
    const n = Math.min(x.length - atA, y.length - atB);
    if (x.compare(y, atB, atB + n, atA, atA + n) !== 0) return false;
    atA += n;
    atB += n;
    if (atA === x.length) {
      i += 1;
      atA = 0;
    }
    if (atB === y.length) {
      j += 1;
      atB = 0;
    }
  }
}

function remember(file: string, entry: CachedFile): CachedFile {
  fileCache.delete(file);
  fileCache.set(file, entry);
  for (const oldest of fileCache.keys()) {
    if (fileCache.size <= FILE_CACHE_MAX) break;
    fileCache.delete(oldest);
  }
  return entry;
}

/** The model of these exact bytes of `file`, read once per distinct content. */
function cachedModel(file: string, bytes: FileBytes): CachedFile {
  const cached = fileCache.get(file);
  if (cached !== undefined && (cached.bytes === bytes || sameBytes(cached.bytes, bytes))) {
    return cached;
  }
  // A read file is one part; only a change makes more, and it remembers its model with them.
  const whole = bytes.length === 1 && bytes[0] !== undefined ? bytes[0] : Buffer.concat(bytes);
  let text: string;
  let isUtf8 = true;
  try {
    text = utf8.decode(whole);
  } catch {
    text = utf8Lenient.decode(whole);
    isUtf8 = false;
  }
  return remember(file, {
    bytes: [whole],
    model: readModel(text),
    utf8: isUtf8,
    ascii: isAscii(whole),
  });
}

/**
 * The bytes of an edited model's text. When the old bytes are ASCII, the edit's ranges (UTF-16
 * offsets) are byte ranges too: the new file is made of views of the old bytes, without joining
 * and encoding a megabyte of text again, nor copying the old bytes (see FileBytes).
 */
function editedBytes(old: CachedFile, next: AuthorizedKeysModel): FileBytes {
  const edit = next.edit;
  if (edit === undefined || !old.ascii) return [Buffer.from(next.text, 'utf8')];
  const parts: Buffer[] = [];
  for (const [start, end] of edit.keep) {
    // The old parts that overlap [start, end), cut to it.
    let offset = 0;
    for (const part of old.bytes) {
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + part.length);
      if (from < to) parts.push(part.subarray(from - offset, to - offset));
      offset += part.length;
      if (offset >= end) break;
    }
  }
  if (edit.append !== '') parts.push(Buffer.from(edit.append, 'utf8'));
  return parts.length > MAX_PARTS ? [Buffer.concat(parts)] : parts;
}

/** sshd StrictModes (auth.c safe_path): owner is the user or root, no group or other write bit. */
function strictModesWarnings(options: FileKeyStoreOptions, uid: number): FileWarning[] {
  const warnings: FileWarning[] = [];
  const file = options.path;
  const user = quote(options.user);
  let fileStat;
  try {
    fileStat = fsSync.lstatSync(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') {
      warnings.push({
        code: 'unreadable',
        message: `${file} cannot be examined (${errnoCode(error) ?? 'error'}); sshd probably cannot read it either.`,
        fix: `ls -ld ${quote(path.dirname(file))} ${quote(file)}`,
      });
    }
  }
  if (fileStat !== undefined) {
    if (fileStat.isSymbolicLink()) {
      warnings.push({
        code: 'symlink',
        message: `${file} is a symbolic link. Keysmith neither reads nor writes through links; replace it with a regular file.`,
        fix: `cp --remove-destination "$(readlink -f ${quote(file)})" ${quote(file)} && chmod 600 ${quote(file)}`,
      });
    } else if (!fileStat.isFile()) {
      warnings.push({
        code: 'not-a-file',
        message: `${file} is not a regular file, so sshd ignores it.`,
        fix: `ls -ld ${quote(file)}`,
      });
    } else {
      if (fileStat.uid !== uid && fileStat.uid !== 0) {
        warnings.push({
          code: 'file-owner',
          message: `${file} is owned by uid ${fileStat.uid}, not by you: sshd ignores it (StrictModes).`,
          fix: `sudo chown ${user} ${quote(file)}`,
        });
      }
      if ((fileStat.mode & 0o022) !== 0) {
        warnings.push({
          code: 'file-mode',
          message: `${file} can be written by others (mode ${(fileStat.mode & 0o777).toString(8)}): sshd ignores it (StrictModes).`,
          fix: `chmod 600 ${quote(file)}`,
        });
      }
    }
  }

  // Every directory from the file's up to the home directory (or / when outside it).
  let home: string;
  let dir: string;
  try {
    home = fsSync.realpathSync.native(options.home);
    dir = fsSync.realpathSync.native(path.dirname(file));
  } catch {
    return warnings;
  }
  const insideHome = dir === home || dir.startsWith(home.endsWith('/') ? home : `${home}/`);
  for (;;) {
    const isHome = insideHome && dir === home;
    let stat;
    try {
      stat = fsSync.statSync(dir);
    } catch {
      break;
    }
    if (stat.uid !== uid && stat.uid !== 0) {
      warnings.push({
        code: isHome ? 'home-owner' : 'dir-owner',
        message: `${dir} is owned by uid ${stat.uid}, not by you: sshd ignores authorized_keys below it (StrictModes).`,
        fix: `sudo chown ${user} ${quote(dir)}`,
      });
    }
    if ((stat.mode & 0o022) !== 0) {
      warnings.push({
        code: isHome ? 'home-mode' : 'dir-mode',
        message: `${dir} can be written by others (mode ${(stat.mode & 0o777).toString(8)}): sshd ignores authorized_keys below it (StrictModes).`,
        fix: isHome ? `chmod go-w ${quote(dir)}` : `chmod 700 ${quote(dir)}`,
      });
    }
    if (isHome || dir === '/') break;
    dir = path.dirname(dir);
  }
  return warnings;
}

const COMPARE_CHUNK = 256 * 1024;

/**
 * The read buffer of {@link holdsExactly}, allocated once: a request for an unchanged file then
 * allocates nothing of the file's size. Safe to share because the comparison is synchronous.
 */
let compareChunk: Buffer | undefined;

/**
 * Whether the open file holds exactly `known` (its size from fstat is already equal). Reads in
 * chunks with explicit positions (the file position stays at 0), each compared with the parts
 * it spans; one more read checks that nothing follows.
 */
function holdsExactly(fd: number, known: FileBytes): boolean {
  compareChunk ??= Buffer.allocUnsafe(COMPARE_CHUNK);
  const chunk = compareChunk;
  const total = byteLength(known);
  const length = Math.min(chunk.length, total + 1);
  let position = 0;
  // The part the next byte read is compared with, and the offset in it.
  let index = 0;
  let at = 0;
  for (;;) {
    const bytesRead = fsSync.readSync(fd, chunk, 0, length, position);
    if (bytesRead === 0) return position === total;
    if (position + bytesRead > total) return false;
    for (let done = 0; done < bytesRead;) {
      const part = known[index];
      if (part === undefined) return false;
      const n = Math.min(part.length - at, bytesRead - done);
      if (chunk.compare(part, at, at + n, done, done + n) !== 0) return false;
      done += n;
      at += n;
      if (at === part.length) {
        index += 1;
        at = 0;
      }
    }
    position += bytesRead;
  }
}

/**
 * Reads the file without following a link; null when there is none. When it holds exactly
 * `known`, returns that very buffer (see {@link holdsExactly}), with the file's fstat.
 *
 * Synchronous, like the other short metadata calls of a request (lstat, stat, readdir, mkdir of
 * the lock): each is a system call of microseconds on a file the page cache holds, and a trip
 * through libuv's thread pool costs more than the call itself (much more while other processes
 * keep the CPUs busy). The writes and fsyncs, which wait for the disk, stay asynchronous.
 */
function readNoFollow(file: string, known?: FileBytes): { bytes: FileBytes; stat: Stats } | null {
  let fd;
  try {
    fd = fsSync.openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = fsSync.fstatSync(fd);
    if (!stat.isFile()) {
      throw new KeyStoreError(
        'file-error',
        409,
        `${file} is not a regular file. Move it away and try again.`,
      );
    }
    if (known !== undefined && stat.size === byteLength(known) && holdsExactly(fd, known)) {
      return { bytes: known, stat };
    }
    return { bytes: [fsSync.readFileSync(fd)], stat };
  } finally {
    fsSync.closeSync(fd);
  }
}

/** Creates the file's directory (0700): `~/.ssh` must exist before the lock can. */
function ensureDirectory(file: string): void {
  const dir = path.dirname(file);
  try {
    fsSync.mkdirSync(dir, { mode: 0o700 });
    // mkdir's mode is masked by the umask; say it exactly.
    fsSync.chmodSync(dir, 0o700);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw fileError(error, 'creating', dir);
  }
}

function readForChange(file: string, uid: number): CurrentFile {
  let read;
  try {
    read = readNoFollow(file, fileCache.get(file)?.bytes);
  } catch (error) {
    if (error instanceof KeyStoreError) throw error;
    throw fileError(error, 'reading', file);
  }
  if (read === null) return { bytes: null, mode: 0o600, owner: null };
  if (uid !== 0) {
    // The rename below would replace even a file we may not write: respect its permissions.
    try {
      fsSync.accessSync(file, constants.W_OK);
    } catch (error) {
      throw fileError(error, 'writing', file);
    }
  }
  const { bytes, stat } = read;
  return { bytes, mode: stat.mode & 0o7777, owner: { uid: stat.uid, gid: stat.gid } };
}

function temporaryName(file: string): string {
  return `.${path.basename(file)}.keysmith-${randomBytes(6).toString('hex')}`;
}

/**
 * Removes temporary files a writer left when it died between creating and renaming one
 * (SIGKILL, power loss). Called under the lock: a live writer creates its temporary file only
 * while it holds the lock, so any such file now is a dead writer's. Only names of exactly
 * Keysmith's own pattern are touched; a failure to remove one is no reason to refuse the change.
 */
function removeDeadWritersFiles(file: string): void {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.keysmith-`;
  let names: string[];
  try {
    names = fsSync.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && /^[0-9a-f]{12}$/.test(name.slice(prefix.length))) {
      try {
        fsSync.rmSync(path.join(dir, name), { force: true });
      } catch {
        // Left for the next change.
      }
    }
  }
}

/** Writes the parts at the file's position: one system call unless the kernel writes less. */
async function writeAll(handle: fs.FileHandle, bytes: FileBytes): Promise<void> {
  if (bytes.length === 0) return;
  const { bytesWritten } = await handle.writev(bytes);
  const total = byteLength(bytes);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(bytes).subarray(bytesWritten);
  for (let at = 0; at < rest.length;) {
    at += (await handle.write(rest, at, rest.length - at)).bytesWritten;
  }
}

async function writeAtomically(
  file: string,
  bytes: FileBytes,
  current: CurrentFile,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, temporaryName(file));
  let renamed = false;
  try {
    // `wx` is O_CREAT|O_EXCL: never opens an existing file or follows a planted link.
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await writeAll(handle, bytes);
      // Keep the existing file's mode (never loosen it); a new file is 0600.
      await handle.chmod(current.mode);
      if (current.owner !== null && process.getuid?.() === 0) {
        await handle.chown(current.owner.uid, current.owner.gid);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    renamed = true;
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch (error) {
    if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof KeyStoreError) throw error;
    throw fileError(error, renamed ? 'syncing the directory of' : 'writing', file);
  }
}

/**
 * Runs `change` under the cross-process lock of `file` (a `<file>.lock` directory). Only a lock
 * held by someone else is waited for (up to 15 s; a holder that died leaves a lock that turns
 * stale after 10 s and is then taken over); any other failure (read-only, full, denied) is
 * reported at once.
 */
async function withLock<T>(file: string, waitMs: number, change: () => Promise<T>): Promise<T> {
  const options: LockOptions = {
    realpath: false,
    stale: 10_000,
    retries: 0,
    onCompromised: (error) => {
      console.error(`keysmith: lock on ${file} was compromised:`, error.message);
    },
  };
  let release: (() => Promise<void>) | (() => void) | undefined;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; release === undefined; attempt += 1) {
    try {
      // The first attempt, which takes a free lock, is synchronous (see readNoFollow). Waiting
      // for a held lock polls asynchronously: many waiters polling synchronously, each on its
      // process's only thread, halved the throughput of 4 processes adding 200 keys at once.
      release =
        attempt === 0 ? lockfile.lockSync(file, options) : await lockfile.lock(file, options);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' && attempt === 0) {
        // No ~/.ssh yet, so no place for the lock: make it, then lock at once.
        ensureDirectory(file);
        continue;
      }
      if (code !== 'ELOCKED' || Date.now() > deadline) {
        throw fileError(error, 'locking', file);
      }
      const wait = Math.min(100, 5 * 1.3 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  try {
    return await change();
  } finally {
    try {
      await release();
    } catch {
      // Already released or taken over as stale: nothing of ours to remove.
    }
  }
}

/** `fn()` as a promise: a throw becomes a rejection, as from an async function. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Creates a KeyStore over the authorized_keys at `options.path`. `list()` also reports what
 * would make sshd ignore the file (StrictModes), each with the command that fixes it.
 */
export function createFileKeyStore(options: FileKeyStoreOptions): KeyStore {
  const file = options.path;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const now = options.now ?? (() => new Date());
  if (!path.isAbsolute(file)) {
    throw new TypeError(`The authorized_keys path must be absolute, got "${file}".`);
  }

  async function change<T>(
    edit: (model: AuthorizedKeysModel) => { model: AuthorizedKeysModel; result: T },
  ): Promise<T> {
    return withLock(file, options.lockWaitMs ?? 15_000, async () => {
      removeDeadWritersFiles(file);
      // Always read again under the lock: another process may have changed the file.
      const current = readForChange(file, uid);
      const cached = cachedModel(file, current.bytes ?? EMPTY);
      if (!cached.utf8) {
        throw new KeyStoreError(
          'file-error',
          409,
          `${file} holds bytes that are not UTF-8, and Keysmith keeps every byte it did not write. Find the line with: grep -naxv '.*' ${quote(file)}`,
        );
      }
      const { lines, keyLines } = cached.model;
      const [lineCount, keyCount] = [lines.length, keyLines.length];
      let next;
      try {
        next = edit(cached.model);
      } catch (error) {
        // A refused edit leaves the model as it was; should one ever fail halfway, forget it.
        if (lines.length !== lineCount || keyLines.length !== keyCount) fileCache.delete(file);
        throw error;
      }
      if (next.model !== cached.model) {
        const bytes = editedBytes(cached, next.model);
        // The edit consumed the cached model (see EditOptions): the entry no longer describes
        // its bytes. Until the new file is in place, a list in this process reads it afresh.
        if (fileCache.get(file) === cached) fileCache.delete(file);
        await writeAtomically(file, bytes, current);
        remember(file, {
          bytes,
          model: next.model,
          utf8: true,
          ascii: bytes.every((part) => isAscii(part)),
        });
      }
      return next.result;
    });
  }

  /** The bytes to list (null: no file or unreadable) and the StrictModes warnings. */
  function readForList(): { bytes: FileBytes | null; warnings: FileWarning[] } {
    const warnings = strictModesWarnings(options, uid);
    let bytes: FileBytes | null = null;
    try {
      bytes = readNoFollow(file, fileCache.get(file)?.bytes)?.bytes ?? null;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EACCES' || code === 'EPERM') {
        warnings.push({
          code: 'unreadable',
          message: `${file} cannot be read by you, so sshd cannot read it either.`,
          fix: `sudo chown ${quote(options.user)} ${quote(file)} && chmod 600 ${quote(file)}`,
        });
      } else if (code !== 'ELOOP' && !(error instanceof KeyStoreError)) {
        throw fileError(error, 'reading', file);
      }
    }
    return { bytes, warnings };
  }

  function listBody(): Uint8Array<ArrayBuffer> {
    const { bytes, warnings } = readForList();
    const cached = cachedModel(file, bytes ?? EMPTY);
    const at = now().getTime();
    // The same bytes as JSON.stringify of list()'s answer, with the keys serialized once per
    // file content and the whole body kept as one buffer: an unchanged file's GET sends it
    // as it is, without building or copying anything of its size.
    const tail = `,"warnings":${JSON.stringify(warnings)},"path":${JSON.stringify(file)}}`;
    let listing = cached.listing;
    if (listing === undefined || !(listing.validAfter < at && at <= listing.validUntil)) {
      const { json, validAfter, validUntil } = listModelJson(
        cached.model,
        new Date(at),
        '{"keys":',
        tail,
      );
      const keysEnd = json.length - Buffer.byteLength(tail);
      listing = { body: json, keysEnd, tail, validAfter, validUntil };
    } else if (listing.tail !== tail) {
      // The warnings changed (a chmod), the keys did not.
      const body = Buffer.concat([listing.body.subarray(0, listing.keysEnd), Buffer.from(tail)]);
      listing = {
        ...listing,
        body: new Uint8Array(body.buffer, body.byteOffset, body.length),
        tail,
      };
    }
    cached.listing = listing;
    return listing.body;
  }

  return {
    list: () =>
      settle(() => {
        const { bytes, warnings } = readForList();
        const { model } = cachedModel(file, bytes ?? EMPTY);
        return {
          keys: listModelKeys(model, now()),
          ignoredLines: listIgnoredLines(model),
          warnings,
          path: file,
        };
      }),
    listBody: () => settle(listBody),
    add: (request, at) =>
      change((model) => {
        const { model: next, key } = addKeyToModel(model, request, at, { consume: true });
        return { model: next, result: key };
      }),
    remove: (fingerprint) =>
      change((model) => ({
        model: removeKeyFromModel(model, fingerprint, { consume: true }),
        result: undefined,
      })),
  };
}
