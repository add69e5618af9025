/**
 * A KeyStore over a real authorized_keys file: every change is read, edit, replace under the
 * file's lock (atomic-file.ts); every answer is made from the exact bytes just read
 * (file-cache.ts), with what would make sshd ignore the file (strict-modes.ts).
 *
 * The store runs as the file's owner (local mode, or the privilege-dropped child in proxy mode),
 * so it never needs to follow a link: it refuses an authorized_keys that is a symbolic link.
 */
import path from 'node:path';
import { toWireList, type FileWarning } from '../../api/ssh-keys.ts';
import { addKeyToModel, removeKeyFromModel } from '../keys-file/edits.ts';
import { joinLines } from '../keys-file/lines.ts';
import { listIgnoredLines, listingValidity, listModelKeys } from '../keys-file/listing.ts';
import type { AuthorizedKeysModel } from '../keys-file/model.ts';
import { KeyStoreError, type KeyStore } from '../store/key-store.ts';
import {
  checkWritable,
  readNoFollow,
  removeDeadWritersFiles,
  withLock,
  writeAtomically,
} from './atomic-file.ts';
import { errnoCode, fileError, shellQuote } from './errno-advice.ts';
import { cachedFile, listBodyOf, rememberWritten } from './file-cache.ts';
import { strictModesWarnings } from './strict-modes.ts';

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

const EMPTY = Buffer.alloc(0);

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

  function change<T>(
    edit: (model: AuthorizedKeysModel) => { model: AuthorizedKeysModel; result: T },
  ): Promise<T> {
    return withLock(file, options.lockWaitMs ?? 15_000, async () => {
      removeDeadWritersFiles(file);
      // Always read again under the lock: another process may have changed the file.
      let current;
      try {
        current = readNoFollow(file);
      } catch (error) {
        if (error instanceof KeyStoreError) throw error;
        throw fileError(error, 'reading', file);
      }
      if (current !== null) checkWritable(file);
      const cached = cachedFile(file, current?.bytes ?? EMPTY);
      if (!cached.utf8) {
        throw new KeyStoreError(
          'file-error',
          409,
          `${file} holds bytes that are not UTF-8, and Keysmith keeps every byte it did not write. Find the line with: grep -naxv '.*' ${shellQuote(file)}`,
        );
      }
      const next = edit(cached.model);
      const bytes = Buffer.from(joinLines(next.model.lines), 'utf8');
      await writeAtomically(file, bytes, current);
      rememberWritten(file, bytes, next.model);
      return next.result;
    });
  }

  /** The bytes to list (empty: no file or unreadable) and the StrictModes warnings. */
  function readForList(): { bytes: Buffer; warnings: FileWarning[] } {
    const warnings = strictModesWarnings({
      path: file,
      home: options.home,
      user: options.user,
      uid,
    });
    try {
      return { bytes: readNoFollow(file)?.bytes ?? EMPTY, warnings };
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EACCES' || code === 'EPERM') {
        warnings.push({
          code: 'unreadable',
          message: `${file} cannot be read by you, so sshd cannot read it either.`,
          fix: `sudo chown ${shellQuote(options.user)} ${shellQuote(file)} && chmod 600 ${shellQuote(file)}`,
        });
      } else if (code !== 'ELOOP' && !(error instanceof KeyStoreError)) {
        throw fileError(error, 'reading', file);
      }
      return { bytes: EMPTY, warnings };
    }
  }

  function list(at: Date, bytes: Buffer, warnings: FileWarning[]) {
    const { model } = cachedFile(file, bytes);
    return {
      keys: listModelKeys(model, at),
      ignoredLines: listIgnoredLines(model),
      warnings,
      path: file,
    };
  }

  return {
    list: () =>
      Promise.resolve().then(() => {
        const { bytes, warnings } = readForList();
        return list(now(), bytes, warnings);
      }),
    // An unchanged file's GET sends the body made for its bytes as it is: the keys are listed
    // and serialized once per file content, warnings and span of clock times.
    listBody: () =>
      Promise.resolve().then(() => {
        const { bytes, warnings } = readForList();
        const at = now();
        const key = JSON.stringify(warnings);
        return listBodyOf(cachedFile(file, bytes), key, at.getTime(), () => {
          const listed = list(at, bytes, warnings);
          return {
            body: new TextEncoder().encode(JSON.stringify(toWireList(listed))),
            ...listingValidity(listed.keys, at.getTime()),
          };
        });
      }),
    add: (request, at) =>
      change((model) => {
        const { model: next, key } = addKeyToModel(model, request, at);
        return { model: next, result: key };
      }),
    remove: (fingerprint) =>
      change((model) => ({ model: removeKeyFromModel(model, fingerprint), result: undefined })),
  };
}
