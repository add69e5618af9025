/**
 * A directory key attribute (`sshPublicKey`, `ipaSshPubKey`) as keys: each value is what
 * `sss_ssh_authorizedkeys` prints for sshd, one or more authorized_keys lines, so it is read
 * with the file's own line reader. Keysmith's name and date ride at the end of the key's
 * comment, which sshd never reads and SSSD passes through:
 *
 *     restrict,expiry-time="20270101000000Z" ssh-ed25519 AAAA… ada@laptop # keysmith name=laptop added=2026-01-02T03:04:05Z
 */
import type { CreateKeyRequest, IgnoredLine, SshKey } from '../../../api/ssh-keys.ts';
import { bytesEqual } from '../../../crypto/bytes.ts';
import { composeKeyLines } from '../../keys-file/edits.ts';
import { splitLines } from '../../keys-file/lines.ts';
import { toSshKey } from '../../keys-file/listing.ts';
import { parseMetadataLine, type KeysmithMetadata } from '../../keys-file/metadata-line.ts';
import { keyLineAt, readLine, isIgnoredBySshd, type KeyLine } from '../../keys-file/model.ts';
import { KeyStoreError } from '../../store/key-store.ts';

/** One key line read from a value, and which value holds it. */
export interface DirectoryKeyLine extends KeyLine {
  /** Index of the value in the attribute, as the directory returned them. */
  readonly value: number;
}

/** An attribute's values read as sshd reads them after SSSD: key lines and ignored lines. */
export interface DirectoryModel {
  readonly keyLines: readonly DirectoryKeyLine[];
  readonly ignoredLines: readonly IgnoredLine[];
}

const MARK = '# keysmith ';

/** Splits Keysmith's metadata off the end of a comment; the comment without it. */
export function splitCommentMetadata(comment: string): {
  comment: string;
  metadata: KeysmithMetadata | null;
} {
  // The last mark: a comment the user brought may hold the same text, ours always comes after.
  const at = comment.lastIndexOf(MARK);
  if (at < 0 || (at > 0 && comment[at - 1] !== ' ')) return { comment, metadata: null };
  const metadata = parseMetadataLine(comment.slice(at));
  if (metadata === null) return { comment, metadata: null };
  return { comment: comment.slice(0, Math.max(0, at - 1)), metadata };
}

/**
 * Reads every value as lines (a value holding a newline is several lines to sshd), numbering
 * lines across the values in the order given.
 */
export function readDirectoryValues(values: readonly string[]): DirectoryModel {
  const keyLines: DirectoryKeyLine[] = [];
  const ignoredLines: IgnoredLine[] = [];
  let offset = 0;
  values.forEach((text, value) => {
    const lines = splitLines(text);
    lines.forEach((line, index) => {
      const keyLine = keyLineAt(lines, index);
      if (keyLine === null) {
        const { refusal } = isIgnoredBySshd(line) ? { refusal: null } : readLine(line);
        if (refusal != null) ignoredLines.push({ line: offset + index + 1, message: refusal });
        return;
      }
      const { comment, metadata } = splitCommentMetadata(keyLine.entry.key.comment);
      keyLines.push({
        ...keyLine,
        index: offset + index,
        entry: { ...keyLine.entry, key: { ...keyLine.entry.key, comment } },
        metadata: metadata ?? keyLine.metadata,
        value,
      });
    });
    offset += Math.max(lines.length, 1);
  });
  return { keyLines, ignoredLines };
}

/** Every key of the attribute as the API lists it, `expired` as of `now`. */
export function listDirectoryKeys(model: DirectoryModel, now: Date): SshKey[] {
  return model.keyLines.map((keyLine) => toSshKey(keyLine, now));
}

/**
 * The one value to add for a request: the line the file store would write, with the metadata
 * at the end of its comment; read back as sshd will, and refused on any difference.
 */
export function composeDirectoryValue(
  request: CreateKeyRequest,
  now: Date,
): { value: string; blob: Uint8Array; key: SshKey } {
  const { metadataLine, keyLine, blob } = composeKeyLines(request, now);
  const value = `${keyLine} ${metadataLine}`;
  const expected = parseMetadataLine(metadataLine);
  const [read, ...more] = readDirectoryValues([value]).keyLines;
  if (
    read === undefined ||
    more.length > 0 ||
    !bytesEqual(read.entry.key.blob, blob) ||
    read.metadata?.name !== expected?.name ||
    read.metadata?.addedAt !== expected?.addedAt
  ) {
    throw new KeyStoreError('internal', 500, 'Keysmith could not read back the key it composed.');
  }
  return { value, blob, key: toSshKey(read, now) };
}

/** 409 when the key is already in the attribute, on any value and in any spelling. */
export function refuseDuplicate(model: DirectoryModel, blob: Uint8Array, attribute: string): void {
  const existing = model.keyLines.find((line) => bytesEqual(line.entry.key.blob, blob));
  if (existing === undefined) return;
  const label = existing.metadata?.name ?? existing.entry.key.comment;
  throw new KeyStoreError(
    'duplicate',
    409,
    `This key is already in your directory entry (${attribute}${label === '' ? '' : `, "${label}"`}). Remove it first to add it again with other settings.`,
  );
}

/** The indices of the values holding the key with this fingerprint; 404 when none does. */
export function valuesHolding(model: DirectoryModel, fingerprint: string): number[] {
  const values = [
    ...new Set(model.keyLines.filter((l) => l.fingerprint === fingerprint).map((l) => l.value)),
  ];
  if (values.length === 0) {
    throw new KeyStoreError(
      'not-found',
      404,
      `No key with fingerprint ${fingerprint} is in your directory entry. Reload the list to see the current keys.`,
    );
  }
  return values;
}
