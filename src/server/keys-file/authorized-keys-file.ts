/**
 * The text model of an authorized_keys file: list, add and remove keys while keeping every line
 * Keysmith did not write byte for byte (comments, blank lines, foreign options, CRLF endings, a
 * missing final newline). Platform-neutral (no `node:`): the file store and the in-memory store
 * of the mock both use it.
 *
 * Format: sshd(8) AUTHORIZED_KEYS FILE FORMAT. Keysmith keeps a key's name and date in a `#` line
 * directly above the key line, which sshd ignores:
 *
 *     # keysmith name=laptop added=2026-01-02T03:04:05Z
 *     restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… ada@laptop
 */
import {
  KEY_NAME_PATTERN,
  toWireKey,
  type CreateKeyRequest,
  type IgnoredLine,
  type KeyFlag,
  type SshKey,
} from '../../api/ssh-keys.ts';
import {
  formatAuthorizedKeysLine,
  parseAuthorizedKeysLine,
  type AuthorizedKeyEntry,
} from '../../openssh/authorized-keys-line.ts';
import {
  composeAccessOptions,
  decodeOptions,
  deriveAccess,
  earliestExpiry,
  formatExpiryTime,
  readsBackAs,
} from '../../openssh/authorized-keys-options.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { looksLikeKeyTypeName } from '../../openssh/key-types.ts';
import { formatPublicKey, parsePublicKey } from '../../openssh/public-key-line.ts';
import type { KeyQuirk } from '../../openssh/sshd-key-reader.ts';
import { KeyStoreError } from '../store/key-store.ts';

/** One line of the file: its text without the line ending, and the ending exactly as found. */
export interface FileLine {
  text: string;
  /** `''` only for a last line that has no final newline. */
  eol: '\n' | '\r\n' | '';
}

/** Keysmith's own `#` line above a key it added. */
export interface KeysmithMetadata {
  name: string | null;
  /** ISO 8601 UTC, seconds precision. */
  addedAt: string;
}

/** A line sshd reads as a key, with what Keysmith knows about it. */
export interface KeyLine {
  /** 0-based index into the lines. */
  readonly index: number;
  readonly entry: AuthorizedKeyEntry;
  readonly fingerprint: string;
  readonly metadata: KeysmithMetadata | null;
}

/**
 * How an edited text was made from the one before: these ranges of it (UTF-16 offsets, start
 * inclusive, end exclusive, in order), then `append`. Lets a store that holds the old file's
 * bytes build the new ones by copying ranges, without encoding the whole text again.
 */
export interface TextEdit {
  readonly keep: readonly (readonly [number, number])[];
  readonly append: string;
}

/**
 * A file's text read once: its lines and its key lines. Never changed in place (edits return a
 * new model), so a store may keep one as a cache of the exact text it was read from; only an
 * edit told to consume it (see EditOptions) reuses its arrays.
 */
export interface AuthorizedKeysModel {
  readonly text: string;
  readonly lines: readonly FileLine[];
  readonly keyLines: readonly KeyLine[];
  /** Set by an edit: how `text` was made from the text of the model it was made from. */
  readonly edit?: TextEdit;
}

/** How {@link addKeyToModel} and {@link removeKeyFromModel} may treat the model they edit. */
export interface EditOptions {
  /**
   * The caller never uses the model it passes again (a store replacing its one cached model):
   * its arrays may become the new model's, edited in place, so a change makes no new arrays of
   * the file's length (figure 6). A refused edit (an error thrown) leaves the model unchanged.
   */
  consume?: boolean;
}

/**
 * Splits file text into lines, each with its own ending, so that `joinLines(splitLines(t)) === t`
 * for every string `t`.
 */
export function splitLines(text: string): FileLine[] {
  const lines: FileLine[] = [];
  let start = 0;
  while (start < text.length) {
    const lf = text.indexOf('\n', start);
    if (lf === -1) {
      lines.push({ text: text.slice(start), eol: '' });
      break;
    }
    if (lf > start && text[lf - 1] === '\r') {
      lines.push({ text: text.slice(start, lf - 1), eol: '\r\n' });
    } else {
      lines.push({ text: text.slice(start, lf), eol: '\n' });
    }
    start = lf + 1;
  }
  return lines;
}

/** The inverse of {@link splitLines}. */
export function joinLines(lines: readonly FileLine[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}

/** The length of `joinLines(lines)`, without joining them. */
function joinedLength(lines: readonly FileLine[]): number {
  let length = 0;
  for (const line of lines) length += line.text.length + line.eol.length;
  return length;
}

/**
 * A model made by an edit. Its text is joined from its lines when first asked for: a store that
 * writes the file from the edit (see TextEdit) never needs a new copy of a large file's text,
 * and the model does not keep the one it was made from alive.
 */
function editedModel(
  lines: readonly FileLine[],
  keyLines: readonly KeyLine[],
  edit: TextEdit,
): AuthorizedKeysModel {
  let text: string | undefined;
  return {
    get text() {
      text ??= joinLines(lines);
      return text;
    },
    lines,
    keyLines,
    edit,
  };
}

const METADATA_LINE =
  /^# keysmith(?: name=([A-Za-z0-9_-]{1,100}))? added=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/;

/** Reads Keysmith's `# keysmith [name=N] added=ISO` line; null for any other line. */
export function parseMetadataLine(text: string): KeysmithMetadata | null {
  const match = METADATA_LINE.exec(text);
  if (match === null) return null;
  const addedAt = match[2] ?? '';
  if (Number.isNaN(Date.parse(addedAt))) return null;
  return { name: match[1] ?? null, addedAt };
}

/** Writes Keysmith's `#` line. The name pattern needs no escaping (see KEY_NAME_PATTERN). */
export function formatMetadataLine(metadata: KeysmithMetadata): string {
  if (metadata.name !== null && !KEY_NAME_PATTERN.test(metadata.name)) {
    throw new KeyStoreError(
      'bad-request',
      400,
      'A name is 1–100 letters, digits, "-" or "_" (no spaces). Choose another name.',
    );
  }
  const line =
    metadata.name === null
      ? `# keysmith added=${metadata.addedAt}`
      : `# keysmith name=${metadata.name} added=${metadata.addedAt}`;
  if (parseMetadataLine(line) === null) {
    throw new KeyStoreError(
      'internal',
      500,
      `Keysmith composed a metadata line it cannot read back.`,
    );
  }
  return line;
}

/** ISO 8601 UTC with whole seconds, as kept in the metadata line. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isIgnoredBySshd(text: string): boolean {
  // sshd skips leading blanks, then empty lines and `#` lines (auth2-pubkeyfile.c); a NUL ends
  // the line for it.
  const nul = text.indexOf('\0');
  const rest = (nul < 0 ? text : text.slice(0, nul)).replace(/^[ \t]+/, '');
  return rest === '' || rest.startsWith('#');
}

/**
 * Parsed key lines by their exact text: a file changes by a line or two between requests, so
 * every other line is parsed and hashed once per process, not once per request. Bounded.
 */
const parsedLines = new Map<string, ParsedLine>();
const PARSED_LINES_MAX = 50_000;

/**
 * Key blobs of cached lines are copied into shared slabs: a blob with a buffer of its own costs
 * an ArrayBuffer and a native allocation, several times its 51 bytes (about 2 MB for 7,800
 * ed25519 keys; figure 6). A slab lives as long as any key copied into it.
 */
const BLOB_SLAB = 16 * 1024;
let blobSlab = new Uint8Array(0);
let blobSlabUsed = 0;

function packBlob(blob: Uint8Array): Uint8Array {
  if (blob.length > BLOB_SLAB / 8) return blob;
  if (blobSlabUsed + blob.length > blobSlab.length) {
    blobSlab = new Uint8Array(BLOB_SLAB);
    blobSlabUsed = 0;
  }
  const packed = blobSlab.subarray(blobSlabUsed, blobSlabUsed + blob.length);
  packed.set(blob);
  blobSlabUsed += blob.length;
  return packed;
}

/** A line read as sshd reads it: its key, or why sshd ignores a line that looks like a key. */
type ParsedLine =
  | { entry: AuthorizedKeyEntry; fingerprint: string; refusal?: undefined }
  | { entry?: undefined; refusal: string | null };

/** A known key type name followed by base64-looking text, possibly after options. */
function looksLikeKeyLine(text: string): boolean {
  const words = text.split(/[ \t]+/);
  return words.some(
    (word, i) => looksLikeKeyTypeName(word) && /^[A-Za-z0-9+/]{4}/.test(words[i + 1] ?? ''),
  );
}

function parseKeyLine(text: string): ParsedLine {
  const cached = parsedLines.get(text);
  if (cached !== undefined) return cached;
  let parsed: ParsedLine;
  try {
    const { options, key, quirks } = parseAuthorizedKeysLine(text);
    const entry = { options, key: { ...key, blob: packBlob(key.blob) }, quirks };
    parsed = { entry, fingerprint: fingerprintSha256(entry.key.blob) };
  } catch (error) {
    parsed = {
      refusal: looksLikeKeyLine(text) && error instanceof Error ? error.message : null,
    };
  }
  if (parsedLines.size >= PARSED_LINES_MAX) parsedLines.clear();
  parsedLines.set(text, parsed);
  return parsed;
}

function readKeyLines(lines: readonly FileLine[]): KeyLine[] {
  const keys: KeyLine[] = [];
  lines.forEach((line, index) => {
    if (isIgnoredBySshd(line.text)) return;
    // A lone CR before the end of a last line without LF is a line ending too.
    const parsed = parseKeyLine(line.eol === '' ? line.text.replace(/\r$/, '') : line.text);
    // sshd silently skips lines it cannot read; Keysmith keeps them verbatim (listIgnoredLines).
    if (parsed.entry === undefined) return;
    const { entry, fingerprint } = parsed;
    const above = index > 0 ? lines[index - 1] : undefined;
    keys.push({
      index,
      entry,
      fingerprint,
      metadata: above === undefined ? null : parseMetadataLine(above.text),
    });
  });
  return keys;
}

/**
 * sshd ignores the comment, so a foreign line may carry control characters in it; the listing
 * shows them as U+FFFD, and bidirectional controls escaped, rather than refusing the whole file.
 */
function displayComment(comment: string): string {
  // \p{Cc}: C0, DEL and C1 controls, as formatPublicKey refuses them; bidirectional controls
  // (UAX #9), which parsePublicKey refuses, are shown as \u202E so the text reads as it is.
  return comment
    .replaceAll('\t', ' ')
    .replace(/\p{Cc}/gu, '\uFFFD')
    .replace(
      /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    );
}

/** What the page says about a line Keysmith would not write so (sshd reads it all the same). */
const FLAG_MESSAGES: Readonly<Record<KeyQuirk, string>> = {
  'rsa-small': 'RSA under 2048 bits: replace it with a new key (ssh-keygen -t ed25519).',
  'rsa-exponent':
    'The RSA exponent is not valid (it must be odd, at least 3 and below the modulus): sshd reads the key, but it is not safe. Delete it.',
  'type-alias':
    'The line names the key type by another name sshd reads as the same type (such as rsa-sha2-256 for ssh-rsa).',
  'key-encoding':
    'The key data is not written as ssh-keygen writes it (spaces or control characters in the base64, needless zero bytes or another type name inside); sshd reads it as this key.',
  nul: 'The line holds a NUL character: sshd reads only what comes before it.',
  'option-spelling':
    'Options Keysmith does not write (another letter case, spacing or spelling of a value); sshd reads them as shown.',
  'cert-authority':
    'A certificate authority (cert-authority): it lets in every certificate it signed for you, not this key itself.',
  principals:
    'principals= without cert-authority: sshd never lets this key in from this line. Delete it or fix the line.',
};

function toSshKey(keyLine: KeyLine, now: Date): SshKey {
  const { entry, metadata } = keyLine;
  const comment = displayComment(entry.key.comment);
  const options = decodeOptions(entry.options);
  const expiry = earliestExpiry(entry.options)?.date ?? null;
  const flags: KeyFlag[] = entry.quirks.map((code) => ({ code, message: FLAG_MESSAGES[code] }));
  return {
    fingerprint: keyLine.fingerprint,
    type: entry.key.type,
    bits: entry.key.bits,
    comment,
    publicKey: formatPublicKey({ ...entry.key, comment }).trimEnd(),
    options,
    access: deriveAccess(entry.options),
    expiresAt: expiry === null ? null : expiry.toISOString(),
    // sshd refuses a key once its expiry time is earlier than now (auth-options.c).
    expired: expiry !== null && expiry.getTime() < now.getTime(),
    name: metadata?.name ?? null,
    addedAt: metadata?.addedAt ?? null,
    managed: metadata !== null,
    line: keyLine.index + 1,
    flags,
  };
}

/** Reads file text into its lines and key lines. */
export function readModel(text: string): AuthorizedKeysModel {
  const lines = splitLines(text);
  return { text, lines, keyLines: readKeyLines(lines) };
}

/**
 * Lines that look like a key (a key type name and base64, maybe after options) but that sshd
 * ignores, each with why: the list never hides a line someone meant as a key.
 */
export function listIgnoredLines(model: AuthorizedKeysModel): IgnoredLine[] {
  const ignored: IgnoredLine[] = [];
  let k = 0;
  model.lines.forEach((line, index) => {
    if (model.keyLines[k]?.index === index) {
      k++;
      return;
    }
    if (isIgnoredBySshd(line.text)) return;
    const parsed = parseKeyLine(line.eol === '' ? line.text.replace(/\r$/, '') : line.text);
    if (parsed.refusal != null) ignored.push({ line: index + 1, message: parsed.refusal });
  });
  return ignored;
}

/** Every key line of a read file, in file order, with options decoded. */
export function listModelKeys(model: AuthorizedKeysModel, now: Date): SshKey[] {
  return model.keyLines.map((keyLine) => toSshKey(keyLine, now));
}

const LISTING_CHUNK = 256 * 1024;
/** Keys serialized before the size of the whole listing is estimated from them. */
const LISTING_SAMPLE = 64;
/** Unused room a listing may keep at its end instead of being copied to its exact size. */
const LISTING_SLACK = 1 / 16;

/**
 * `prefix + JSON.stringify(listModelKeys(model, now).map(toWireKey)) + suffix` as UTF-8 bytes,
 * with `,"ignoredLines":[…]` (listIgnoredLines) before the suffix when there are any,
 * and the span of clock times over which it stays exact: only `expired` depends on the clock,
 * and it flips only at an `expiresAt`. The bytes hold for every time `t` (ms) with
 * `validAfter < t <= validUntil`.
 *
 * Written one key at a time: no array of 10,000 key objects, and none of the multi-megabyte
 * strings that joining the keys' JSON would make. After the first keys, the rest goes into one
 * buffer of the size they predict (with a margin), which becomes the result when it fits within
 * {@link LISTING_SLACK}: a large listing then costs about its own size, not twice that. When the
 * prediction fails (the keys further down are longer), the result is copied from the chunks.
 */
export function listModelJson(
  model: AuthorizedKeysModel,
  now: Date,
  prefix = '',
  suffix = '',
): { json: Uint8Array<ArrayBuffer>; validAfter: number; validUntil: number } {
  const at = now.getTime();
  let validAfter = -Infinity;
  let validUntil = Infinity;
  const encoder = new TextEncoder();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let chunk = new Uint8Array(LISTING_CHUNK);
  let used = 0;
  let total = 0;
  const write = (text: string) => {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (used + text.length * 3 > chunk.length) {
      chunks.push(chunk.subarray(0, used));
      total += used;
      chunk = new Uint8Array(Math.max(LISTING_CHUNK, text.length * 3));
      used = 0;
    }
    used += encoder.encodeInto(text, chunk.subarray(used)).written;
  };
  const count = model.keyLines.length;
  write(`${prefix}[`);
  model.keyLines.forEach((keyLine, i) => {
    if (i === LISTING_SAMPLE && chunks.length === 0) {
      const predicted = Math.ceil(used + ((used / i) * (count - i) + suffix.length * 3 + 1) * 1.04);
      if (predicted > chunk.length) {
        const whole = new Uint8Array(predicted);
        whole.set(chunk.subarray(0, used));
        chunk = whole;
      }
    }
    const key = toSshKey(keyLine, now);
    if (key.expiresAt !== null) {
      const expiry = Date.parse(key.expiresAt);
      // expired is `expiry < t`: unchanged while t stays on the same side of every expiry.
      if (expiry < at) validAfter = Math.max(validAfter, expiry);
      else validUntil = Math.min(validUntil, expiry);
    }
    const json = JSON.stringify(toWireKey(key));
    write(i === 0 ? json : `,${json}`);
  });
  const ignored = listIgnoredLines(model);
  write(`]${ignored.length === 0 ? '' : `,"ignoredLines":${JSON.stringify(ignored)}`}${suffix}`);
  if (chunks.length === 0 && chunk.length - used <= Math.max(1024, chunk.length * LISTING_SLACK)) {
    return { json: chunk.subarray(0, used), validAfter, validUntil };
  }
  chunks.push(chunk.subarray(0, used));
  total += used;
  const json = new Uint8Array(total);
  let offset = 0;
  for (const part of chunks) {
    json.set(part, offset);
    offset += part.length;
  }
  return { json, validAfter, validUntil };
}

/** Every key line of the file, in file order, with options decoded. */
export function listKeys(text: string, now: Date): SshKey[] {
  return listModelKeys(readModel(text), now);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Composes the key line and Keysmith's metadata line for a request, refusing anything sshd
 * would read differently from what the API reports. Throws KeyFormatError for a bad key and
 * KeyStoreError for a bad request.
 */
export function composeKeyLines(
  request: CreateKeyRequest,
  now: Date,
): { metadataLine: string; keyLine: string; blob: Uint8Array } {
  // The key is parsed and rebuilt from its type, blob and comment: user text is never written.
  const key = parsePublicKey(request.publicKey);
  const options = composeAccessOptions(request.access ?? 'restricted');
  if (request.from !== undefined) {
    options.push({ name: 'from', value: request.from.join(',') });
  }
  if (request.expiresAt !== undefined) {
    const expiresAt = new Date(request.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      throw new KeyStoreError('bad-request', 400, '"expiresAt" is not a valid ISO 8601 date-time.');
    }
    if (expiresAt.getTime() - now.getTime() < 1000) {
      throw new KeyStoreError(
        'bad-request',
        400,
        '"expiresAt" must be in the future. Choose a later date, or leave it out for a key that does not expire.',
      );
    }
    options.push({ name: 'expiry-time', value: formatExpiryTime(expiresAt) });
  }
  const keyLine = formatAuthorizedKeysLine(options, key);
  const metadataLine = formatMetadataLine({ name: request.name ?? null, addedAt: isoSeconds(now) });

  // Read the composed line back the way the listing (and sshd) will, and refuse any difference.
  if (!readsBackAs(keyLine, options, key)) {
    throw new KeyStoreError(
      'invalid-key',
      400,
      'This key cannot be written safely: it would read back differently. Check the key text and options.',
    );
  }
  return { metadataLine, keyLine, blob: key.blob };
}

/**
 * Appends a key (and its metadata line) to a read file. New lines end in LF. When the file
 * lacks a final newline, one LF is added to its last line first: the only change ever made to a
 * line Keysmith did not write, and needed, or the key would be glued onto that line. The same key
 * anywhere in the file (also on a line Keysmith did not write) is refused with 409.
 */
export function addKeyToModel(
  model: AuthorizedKeysModel,
  request: CreateKeyRequest,
  now: Date,
  options: EditOptions = {},
): { model: AuthorizedKeysModel; key: SshKey } {
  const { metadataLine, keyLine, blob } = composeKeyLines(request, now);
  // Equal blobs have equal fingerprints: compare the short strings first.
  const fingerprint = fingerprintSha256(blob);
  const existing = model.keyLines.find(
    (line) => line.fingerprint === fingerprint && sameBytes(line.entry.key.blob, blob),
  );
  if (existing !== undefined) {
    const label = existing.metadata?.name ?? existing.entry.key.comment;
    throw new KeyStoreError(
      'duplicate',
      409,
      `This key is already in authorized_keys (line ${existing.index + 1}${label === '' ? '' : `, "${label}"`}). Remove it first to add it again with other settings.`,
    );
  }
  const added = `${metadataLine}\n${keyLine}\n`;
  const last = model.lines.at(-1);
  let next: AuthorizedKeysModel;
  if (last !== undefined && last.eol === '') {
    // Rare: the old last line changes too; read the whole text again (unchanged lines are cached).
    next = {
      ...readModel(`${model.text}\n${added}`),
      edit: { keep: [[0, model.text.length]], append: `\n${added}` },
    };
  } else {
    // Only the new line needs reading, the way the listing (and sshd) will read it back.
    const parsed = parseKeyLine(keyLine);
    if (parsed.entry === undefined || !sameBytes(parsed.entry.key.blob, blob)) {
      throw new KeyStoreError('internal', 500, 'Keysmith could not read back the key it composed.');
    }
    const newLines: FileLine[] = [
      { text: metadataLine, eol: '\n' },
      { text: keyLine, eol: '\n' },
    ];
    const newKeyLine: KeyLine = {
      index: model.lines.length + 1,
      entry: parsed.entry,
      fingerprint: parsed.fingerprint,
      metadata: parseMetadataLine(metadataLine),
    };
    const keep: [number, number][] = [[0, joinedLength(model.lines)]];
    // Nothing can fail from here on: a consumed model is changed only by an edit that is made.
    // concat allocates the new arrays at their final size; spreading grows them step by step,
    // leaving several arrays of the file's length as garbage on every add (figure 6).
    let lines: readonly FileLine[];
    let keyLines: readonly KeyLine[];
    if (options.consume === true) {
      lines = model.lines;
      (lines as FileLine[]).push(...newLines);
      keyLines = model.keyLines;
      (keyLines as KeyLine[]).push(newKeyLine);
    } else {
      lines = model.lines.concat(newLines);
      keyLines = model.keyLines.concat([newKeyLine]);
    }
    next = editedModel(lines, keyLines, { keep, append: added });
  }
  const mine = next.keyLines.at(-1);
  if (mine?.index !== next.lines.length - 1 || !sameBytes(mine.entry.key.blob, blob)) {
    throw new KeyStoreError('internal', 500, 'Keysmith could not read back the key it composed.');
  }
  return { model: next, key: toSshKey(mine, now) };
}

/** {@link addKeyToModel} over file text. */
export function addKey(
  text: string,
  request: CreateKeyRequest,
  now: Date,
): { text: string; key: SshKey } {
  const { model, key } = addKeyToModel(readModel(text), request, now);
  return { text: model.text, key };
}

/**
 * Removes every line holding the key with this fingerprint (a key left on a second line would
 * still log in) and Keysmith's metadata line directly above each. Every other byte is kept.
 * Throws KeyStoreError 404 when the key is not in the file.
 */
export function removeKeyFromModel(
  model: AuthorizedKeysModel,
  fingerprint: string,
  options: EditOptions = {},
): AuthorizedKeysModel {
  const matches = model.keyLines.filter((line) => line.fingerprint === fingerprint);
  if (matches.length === 0) {
    throw new KeyStoreError(
      'not-found',
      404,
      `No key with fingerprint ${fingerprint} is in authorized_keys. Reload the list to see the current keys.`,
    );
  }
  const drop = new Set<number>();
  for (const match of matches) {
    drop.add(match.index);
    if (match.metadata !== null) drop.add(match.index - 1);
  }
  // Nothing can fail from here on: a consumed model is changed only by an edit that is made.
  // Its arrays are compacted in place (each line is written at or before where it was read);
  // otherwise the new arrays are made at their final size: pushing grows them step by step,
  // leaving arrays of the file's length as garbage (figure 6).
  const consume = options.consume === true;
  const lines = consume
    ? (model.lines as FileLine[])
    : new Array<FileLine>(model.lines.length - drop.size);
  // The text is its lines one after the other: the kept lines are runs of the old text.
  const keep: [number, number][] = [];
  let kept = 0;
  let offset = 0;
  model.lines.forEach((line, index) => {
    const end = offset + line.text.length + line.eol.length;
    if (!drop.has(index)) {
      lines[kept] = line;
      kept += 1;
      const run = keep.at(-1);
      if (run !== undefined && run[1] === offset) run[1] = end;
      else keep.push([offset, end]);
    }
    offset = end;
  });
  lines.length = kept;
  // Every kept line keeps its text and ending, so it stays a key line or not exactly as before
  // (the last line keeps an empty ending only if it stays last); only the line above may change,
  // and only when a line above was dropped: a kept line moves up by the number of those.
  const dropped = [...drop].sort((a, b) => a - b);
  const keyLines = consume
    ? (model.keyLines as KeyLine[])
    : new Array<KeyLine>(model.keyLines.length - matches.length);
  const keyCount = model.keyLines.length;
  let keptKeys = 0;
  let droppedAbove = 0;
  for (let i = 0; i < keyCount; i += 1) {
    const keyLine = model.keyLines[i];
    if (keyLine === undefined || drop.has(keyLine.index)) continue;
    while ((dropped[droppedAbove] ?? Infinity) < keyLine.index) droppedAbove += 1;
    const index = keyLine.index - droppedAbove;
    const above = index > 0 ? lines[index - 1] : undefined;
    keyLines[keptKeys] =
      index === keyLine.index
        ? keyLine
        : {
            index,
            entry: keyLine.entry,
            fingerprint: keyLine.fingerprint,
            metadata: above === undefined ? null : parseMetadataLine(above.text),
          };
    keptKeys += 1;
  }
  keyLines.length = keptKeys;
  return editedModel(lines, keyLines, { keep, append: '' });
}

/** {@link removeKeyFromModel} over file text. */
export function removeKey(text: string, fingerprint: string): string {
  return removeKeyFromModel(readModel(text), fingerprint).text;
}
