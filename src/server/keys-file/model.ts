/**
 * An authorized_keys file read as sshd 9.2 reads it: its lines, and the lines that hold a key,
 * each with its fingerprint and Keysmith's `#` line above it. A model is never changed: an edit
 * (edits.ts) makes a new one, so a store may keep one as a cache of the bytes it was read from.
 */
import {
  parseAuthorizedKeysLine,
  type AuthorizedKeyEntry,
} from '../../openssh/authorized-keys-line.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { looksLikeKeyTypeName } from '../../openssh/key-types.ts';
import { splitLines, type FileLine } from './lines.ts';
import { parseMetadataLine, type KeysmithMetadata } from './metadata-line.ts';

/** A line sshd reads as a key, with what Keysmith knows about it. */
export interface KeyLine {
  /** 0-based index into the lines. */
  readonly index: number;
  readonly entry: AuthorizedKeyEntry;
  readonly fingerprint: string;
  readonly metadata: KeysmithMetadata | null;
}

/** A file's text read once: its lines and, in file order, its key lines. */
export interface AuthorizedKeysModel {
  readonly lines: readonly FileLine[];
  readonly keyLines: readonly KeyLine[];
}

/** A line read as sshd reads it: its key, or why sshd ignores a line that looks like a key. */
export type ReadLine =
  | { entry: AuthorizedKeyEntry; fingerprint: string; refusal?: undefined }
  | { entry?: undefined; refusal: string | null };

/** Whether sshd skips the line before reading a key from it. */
export function isIgnoredBySshd(line: FileLine): boolean {
  // sshd skips leading blanks, then empty lines and `#` lines (auth2-pubkeyfile.c); a NUL ends
  // the line for it.
  const nul = line.text.indexOf('\0');
  return /^[ \t]*(?:#|$)/.test(nul < 0 ? line.text : line.text.slice(0, nul));
}

/** A known key type name followed by base64-looking text, possibly after options. */
function looksLikeKeyLine(text: string): boolean {
  const words = text.split(/[ \t]+/);
  return words.some(
    (word, i) => looksLikeKeyTypeName(word) && /^[A-Za-z0-9+/]{4}/.test(words[i + 1] ?? ''),
  );
}

/** Reads one line as sshd does: its key, or the reason it is skipped when it looks like one. */
export function readLine(line: FileLine): ReadLine {
  try {
    const entry = parseAuthorizedKeysLine(line.text);
    return { entry, fingerprint: fingerprintSha256(entry.key.blob) };
  } catch (error) {
    return {
      refusal: looksLikeKeyLine(line.text) && error instanceof Error ? error.message : null,
    };
  }
}

/** The key line at `index` of `lines`, with the metadata line above it; null if none. */
export function keyLineAt(lines: readonly FileLine[], index: number): KeyLine | null {
  const line = lines[index];
  if (line === undefined) return null;
  const read = readLine(line);
  // sshd silently skips lines it cannot read; Keysmith keeps them verbatim (listIgnoredLines).
  if (read.entry === undefined) return null;
  return {
    index,
    entry: read.entry,
    fingerprint: read.fingerprint,
    metadata: metadataAbove(lines, index),
  };
}

/** Keysmith's metadata for the line at `index`: the `#` line directly above it, if any. */
export function metadataAbove(lines: readonly FileLine[], index: number): KeysmithMetadata | null {
  const above = lines[index - 1];
  return above === undefined ? null : parseMetadataLine(above.text);
}

/** Reads file text into its lines and key lines. */
export function readModel(text: string): AuthorizedKeysModel {
  const lines = splitLines(text);
  const keyLines = lines
    .map((_, index) => keyLineAt(lines, index))
    .filter((keyLine) => keyLine !== null);
  return { lines, keyLines };
}
