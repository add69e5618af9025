/**
 * Adding and removing keys. Every line Keysmith did not write stays byte for byte; an edit makes
 * a new model and leaves the one it was given as it was.
 */
import type { CreateKeyRequest, SshKey } from '../../api/ssh-keys.ts';
import { bytesEqual } from '../../crypto/bytes.ts';
import { formatAuthorizedKeysLine } from '../../openssh/authorized-keys-line.ts';
import {
  composeAccessOptions,
  formatExpiryTime,
  readsBackAs,
} from '../../openssh/authorized-keys-options.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { parsePublicKey } from '../../openssh/public-key-line.ts';
import { KeyStoreError } from '../store/key-store.ts';
import { joinLines, type FileLine } from './lines.ts';
import { toSshKey } from './listing.ts';
import { formatMetadataLine, isoSeconds } from './metadata-line.ts';
import {
  keyLineAt,
  metadataAbove,
  readModel,
  type AuthorizedKeysModel,
  type KeyLine,
} from './model.ts';

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
): { model: AuthorizedKeysModel; key: SshKey } {
  const { metadataLine, keyLine, blob } = composeKeyLines(request, now);
  // Equal blobs have equal fingerprints: compare the short strings first.
  const fingerprint = fingerprintSha256(blob);
  const existing = model.keyLines.find(
    (line) => line.fingerprint === fingerprint && bytesEqual(line.entry.key.blob, blob),
  );
  if (existing !== undefined) {
    const label = existing.metadata?.name ?? existing.entry.key.comment;
    throw new KeyStoreError(
      'duplicate',
      409,
      `This key is already in authorized_keys (line ${existing.index + 1}${label === '' ? '' : `, "${label}"`}). Remove it first to add it again with other settings.`,
    );
  }
  let next: AuthorizedKeysModel;
  if (model.lines.at(-1)?.eol === '') {
    // The old last line gets its LF, which may change how it reads (a CR before it): read all.
    next = readModel(`${joinLines(model.lines)}\n${metadataLine}\n${keyLine}\n`);
  } else {
    const lines: readonly FileLine[] = model.lines.concat([
      { text: metadataLine, eol: '\n' },
      { text: keyLine, eol: '\n' },
    ]);
    // The new line read back the way the listing (and sshd) will read it.
    const added = keyLineAt(lines, lines.length - 1);
    next = { lines, keyLines: added === null ? model.keyLines : model.keyLines.concat([added]) };
  }
  const mine = next.keyLines.at(-1);
  if (mine?.index !== next.lines.length - 1 || !bytesEqual(mine.entry.key.blob, blob)) {
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
  return { text: joinLines(model.lines), key };
}

/**
 * Removes every line holding the key with this fingerprint (a key left on a second line would
 * still log in) and Keysmith's metadata line directly above each. Every other byte is kept.
 * Throws KeyStoreError 404 when the key is not in the file.
 */
export function removeKeyFromModel(
  model: AuthorizedKeysModel,
  fingerprint: string,
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
  const lines: FileLine[] = [];
  /** Where each old line ends up: the new index of a kept line. */
  const newIndex: number[] = [];
  model.lines.forEach((line, index) => {
    newIndex.push(lines.length);
    if (!drop.has(index)) lines.push(line);
  });
  // A kept line keeps its text and ending, so it stays a key line or not; only the line above
  // it may change, when lines above it were dropped.
  const keyLines: KeyLine[] = [];
  for (const keyLine of model.keyLines) {
    if (drop.has(keyLine.index)) continue;
    const index = newIndex[keyLine.index] ?? keyLine.index;
    keyLines.push(
      index === keyLine.index
        ? keyLine
        : { ...keyLine, index, metadata: metadataAbove(lines, index) },
    );
  }
  return { lines, keyLines };
}

/** {@link removeKeyFromModel} over file text. */
export function removeKey(text: string, fingerprint: string): string {
  return joinLines(removeKeyFromModel(readModel(text), fingerprint).lines);
}
