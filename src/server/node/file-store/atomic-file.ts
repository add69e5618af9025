/**
 * One file replaced whole or not at all, by one writer at a time across processes: read without
 * following a link, a lock (proper-lockfile: a `<file>.lock` directory made with mkdir, atomic on
 * local disks and NFS), and a write to a temporary file in the same directory (0600), fsync,
 * rename over the file, fsync of the directory. A crash or a full disk leaves the old file or
 * the new one, never half (rename(2) is atomic within a file system).
 *
 * The short metadata calls (open, fstat, read of a file the page cache holds, readdir, a free
 * lock's mkdir) are synchronous: each takes microseconds, less than a trip through libuv's
 * thread pool. Writes, fsyncs and waiting for a held lock, which take long, are asynchronous.
 */
import fsSync, { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import lockfile, { type LockOptions } from 'proper-lockfile';
import { KeyStoreError } from '../../store/key-store.ts';
import { errnoCode, fileError } from './errno-advice.ts';

/** A file as read: its bytes, and the permission bits and owner a replacement keeps. */
export interface FileRead {
  bytes: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Reads a regular file without following a link (O_NOFOLLOW: a link fails with ELOOP); null
 * when there is none. Other errors are thrown as they are, for the caller to report.
 */
export function readNoFollow(file: string): FileRead | null {
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
    return {
      bytes: fsSync.readFileSync(fd),
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
    };
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Refuses to replace a file this process may not write (unless it is root): the rename would
 * replace it all the same, since rename(2) needs only the directory's write permission.
 */
export function checkWritable(file: string): void {
  if (process.getuid?.() === 0) return;
  try {
    fsSync.accessSync(file, constants.W_OK);
  } catch (error) {
    throw fileError(error, 'writing', file);
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

function temporaryPrefix(file: string): string {
  return `.${path.basename(file)}.keysmith-`;
}

/**
 * Removes temporary files a writer left when it died between creating and renaming one
 * (SIGKILL, power loss). Call it under the lock: a live writer has a temporary file only while
 * it holds the lock. Only names of exactly Keysmith's own pattern are touched; a failure to
 * remove one is no reason to refuse the change.
 */
export function removeDeadWritersFiles(file: string): void {
  const dir = path.dirname(file);
  const prefix = temporaryPrefix(file);
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

/**
 * Replaces `file` with `bytes` durably. Keeps `keep`'s mode (never loosens it) and, when root,
 * its owner; a new file is 0600 and owned by this process.
 */
export async function writeAtomically(
  file: string,
  bytes: Uint8Array,
  keep: Pick<FileRead, 'mode' | 'uid' | 'gid'> | null,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${temporaryPrefix(file)}${randomBytes(6).toString('hex')}`);
  let renamed = false;
  try {
    // `wx` is O_CREAT|O_EXCL: never opens an existing file or follows a planted link.
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.chmod(keep?.mode ?? 0o600);
      if (keep !== null && process.getuid?.() === 0) await handle.chown(keep.uid, keep.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    renamed = true;
    // The rename is durable only once the directory entry is on disk (fsync(2)).
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
 * Runs `change` under the cross-process lock of `file`, creating the file's directory when
 * missing. Only a lock held by someone else is waited for (up to `waitMs`, then a 503; a holder
 * that died leaves a lock that turns stale after 10 s and is then taken over); any other failure
 * (read-only, full, denied) is reported at once.
 */
export async function withLock<T>(
  file: string,
  waitMs: number,
  change: () => Promise<T>,
): Promise<T> {
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
      // A free lock is taken synchronously; a held one is polled asynchronously, or waiters
      // polling on their process's only thread starve the holder's own process.
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
