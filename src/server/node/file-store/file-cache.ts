/**
 * The model of the last bytes read or written of each file, with the list body made from them:
 * parsing and listing 10,000 lines costs a hundred milliseconds, reading and comparing the
 * megabyte they fill about one. The caller reads the file for every request (under the lock
 * for a change) and passes the exact bytes: another process may change the file at any time,
 * and stat times are too coarse to prove it did not.
 */
import { readModel, type AuthorizedKeysModel } from '../../keys-file/model.ts';

/** A list body made from the cached bytes. */
export interface CachedListBody {
  body: Uint8Array<ArrayBuffer>;
  /** What else the body depends on (the warnings and the path, serialized). */
  key: string;
  /** The body is exact for clock times t (ms) with validAfter < t <= validUntil. */
  validAfter: number;
  validUntil: number;
}

export interface CachedFile {
  readonly bytes: Buffer;
  readonly model: AuthorizedKeysModel;
  /** False when the bytes are not UTF-8: listed leniently (U+FFFD), never rewritten. */
  readonly utf8: boolean;
  /** The last list body made from these bytes (see listBodyOf). */
  listBody?: CachedListBody;
}

/**
 * Files cached at once: in proxy mode the server parses for every user, so many small files;
 * their bytes at most 4 MiB together (a 10,000-line file's model is many times its megabyte),
 * but always the newest.
 */
const MAX_FILES = 256;
const MAX_BYTES = 4 * 1024 * 1024;
const files = new Map<string, CachedFile>();
let cachedBytes = 0;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true });

function remember(file: string, entry: CachedFile): CachedFile {
  cachedBytes -= files.get(file)?.bytes.length ?? 0;
  files.delete(file);
  files.set(file, entry);
  cachedBytes += entry.bytes.length;
  for (const [oldest, old] of files) {
    if (oldest === file || (files.size <= MAX_FILES && cachedBytes <= MAX_BYTES)) break;
    files.delete(oldest);
    cachedBytes -= old.bytes.length;
  }
  return entry;
}

/** The cached entry for exactly these bytes of `file`; else the bytes parsed and remembered. */
export function cachedFile(file: string, bytes: Buffer): CachedFile {
  const cached = files.get(file);
  if (cached !== undefined && cached.bytes.equals(bytes)) return cached;
  let text: string;
  let isUtf8 = true;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = utf8Lenient.decode(bytes);
    isUtf8 = false;
  }
  return remember(file, { bytes, model: readModel(text), utf8: isUtf8 });
}

/** Remembers the model of bytes just written to `file`, so the next request need not parse them. */
export function rememberWritten(file: string, bytes: Buffer, model: AuthorizedKeysModel): void {
  remember(file, { bytes, model, utf8: true });
}

/**
 * The list body of this entry for `key` at clock time `at` (ms): the one kept while still exact,
 * else the one `make` returns, kept for the next request.
 */
export function listBodyOf(
  entry: CachedFile,
  key: string,
  at: number,
  make: () => Omit<CachedListBody, 'key'>,
): Uint8Array<ArrayBuffer> {
  const kept = entry.listBody;
  if (kept !== undefined && kept.key === key && kept.validAfter < at && at <= kept.validUntil) {
    return kept.body;
  }
  const made = { ...make(), key };
  entry.listBody = made;
  return made.body;
}
