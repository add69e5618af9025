/**
 * A KeyStore over a real authorized_keys file: every change is read, edit, replace under the
 * file's lock (atomic-file.ts); every answer is made from the exact bytes just read
 * (file-cache.ts), with what would make sshd ignore the file (strict-modes.ts).
 *
 * The store runs as the file's owner (local mode, or proxy mode as that user), so it never needs
 * to follow a link: it refuses an authorized_keys that is a symbolic link.
 */
import path from 'node:path';
import type { FileWarning } from '../../../api/ssh-keys.ts';
import { addKeyToModel, removeKeyFromModel } from '../../keys-file/edits.ts';
import type { AuthorizedKeysModel } from '../../keys-file/model.ts';
import { KeyStoreError, type KeyStore } from '../../store/key-store.ts';
import {
  checkWritable,
  readNoFollow,
  removeDeadWritersFiles,
  withLock,
  writeAtomically,
} from './atomic-file.ts';
import { errnoCode, fileError } from './errno-advice.ts';
import { editBytes, listBodyOfBytes, listOfBytes, unreadableWarning } from './keys-file-answers.ts';
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
      const next = editBytes(file, current?.bytes ?? EMPTY, edit);
      await writeAtomically(file, next.bytes, current);
      next.written();
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
        warnings.push(unreadableWarning(file, options.user));
      } else if (code !== 'ELOOP' && !(error instanceof KeyStoreError)) {
        throw fileError(error, 'reading', file);
      }
      return { bytes: EMPTY, warnings };
    }
  }

  return {
    list: () =>
      Promise.resolve().then(() => {
        const { bytes, warnings } = readForList();
        return listOfBytes(file, bytes, warnings, now());
      }),
    // An unchanged file's GET sends the body made for its bytes as it is: the keys are listed
    // and serialized once per file content, warnings and span of clock times.
    listBody: () =>
      Promise.resolve().then(() => {
        const { bytes, warnings } = readForList();
        return listBodyOfBytes(file, bytes, warnings, now());
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
