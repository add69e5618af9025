/**
 * A key store's answers made from the exact bytes of an authorized_keys file, whoever read them:
 * this process (file-key-store.ts, local mode) or the user's helper (user-process-store.ts,
 * proxy mode as root). Parsing goes through the cache by content (file-cache.ts).
 */
import { toWireList, type FileWarning, type ListKeysResponse } from '../../../api/ssh-keys.ts';
import { joinLines } from '../../keys-file/lines.ts';
import { listIgnoredLines, listingValidity, listModelKeys } from '../../keys-file/listing.ts';
import type { AuthorizedKeysModel } from '../../keys-file/model.ts';
import { KeyStoreError } from '../../store/key-store.ts';
import { shellQuote } from './errno-advice.ts';
import { cachedFile, listBodyOf, rememberWritten } from './file-cache.ts';

/** The warning for a file its owner cannot read (then neither can sshd). */
export function unreadableWarning(file: string, user: string): FileWarning {
  return {
    code: 'unreadable',
    message: `${file} cannot be read by you, so sshd cannot read it either.`,
    fix: `sudo chown ${shellQuote(user)} ${shellQuote(file)} && chmod 600 ${shellQuote(file)}`,
  };
}

/** The list of `file` as it is in `bytes`, at clock time `at`. */
export function listOfBytes(
  file: string,
  bytes: Buffer,
  warnings: FileWarning[],
  at: Date,
): ListKeysResponse {
  const { model } = cachedFile(file, bytes);
  return {
    keys: listModelKeys(model, at),
    ignoredLines: listIgnoredLines(model),
    warnings,
    path: file,
  };
}

/**
 * The same list as the UTF-8 JSON response body: made once per file content, warnings and span
 * of clock times, and sent as it is while still exact.
 */
export function listBodyOfBytes(
  file: string,
  bytes: Buffer,
  warnings: FileWarning[],
  at: Date,
): Uint8Array<ArrayBuffer> {
  return listBodyOf(cachedFile(file, bytes), JSON.stringify(warnings), at.getTime(), () => {
    const listed = listOfBytes(file, bytes, warnings, at);
    return {
      body: new TextEncoder().encode(JSON.stringify(toWireList(listed))),
      ...listingValidity(listed.keys, at.getTime()),
    };
  });
}

/**
 * The bytes `edit` makes of `current` (read under the file's lock), with its result; call
 * `written` once they are on disk. Refuses a file that is not UTF-8: Keysmith keeps every byte
 * it did not write.
 */
export function editBytes<T>(
  file: string,
  current: Buffer,
  edit: (model: AuthorizedKeysModel) => { model: AuthorizedKeysModel; result: T },
): { bytes: Buffer; result: T; written(): void } {
  const cached = cachedFile(file, current);
  if (!cached.utf8) {
    throw new KeyStoreError(
      'file-error',
      409,
      `${file} holds bytes that are not UTF-8, and Keysmith keeps every byte it did not write. Find the line with: grep -naxv '.*' ${shellQuote(file)}`,
    );
  }
  const next = edit(cached.model);
  const bytes = Buffer.from(joinLines(next.model.lines), 'utf8');
  return { bytes, result: next.result, written: () => rememberWritten(file, bytes, next.model) };
}
