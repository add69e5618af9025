/**
 * File system failures of the store as KeyStoreErrors whose message names the problem and the
 * way out, and the shell quoting of the paths those messages and the StrictModes fixes show.
 */
import path from 'node:path';
import { KeyStoreError } from '../../store/key-store.ts';

/** The errno code of a Node file system error (`ENOENT`…), or of proper-lockfile's `ELOCKED`. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** `value` as one word of a POSIX shell command, quoted only when it needs to be. */
export function shellQuote(value: string): string {
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
  const quotedFile = shellQuote(file);
  const quotedDir = shellQuote(dir);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new KeyStoreError(
        'file-error',
        500,
        `Permission denied ${action} ${file}. Check who owns it and its directory (ls -ld ${quotedDir} ${quotedFile}); it must be you, with ~/.ssh 700 and the file 600. ${unchanged}`,
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
        `A part of ${file} is not a directory. Check the path with ls -ld ${quotedDir}. ${unchanged}`,
        { cause: error },
      );
    case 'ELOOP':
      return new KeyStoreError(
        'file-error',
        409,
        `${file} is a symbolic link, which Keysmith does not follow. Replace it with a regular file: cp --remove-destination "$(readlink -f ${quotedFile})" ${quotedFile} && chmod 600 ${quotedFile}`,
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
