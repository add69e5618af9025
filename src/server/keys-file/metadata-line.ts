/**
 * Keysmith's own `#` line directly above a key it added, which sshd ignores as a comment
 * (sshd(8) AUTHORIZED_KEYS FILE FORMAT):
 *
 *     # keysmith name=laptop added=2026-01-02T03:04:05Z
 *     restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… ada@laptop
 */
import { KEY_NAME_PATTERN } from '../../api/ssh-keys.ts';
import { KeyStoreError } from '../store/key-store.ts';

/** What Keysmith's `#` line says about the key below it. */
export interface KeysmithMetadata {
  name: string | null;
  /** ISO 8601 UTC, seconds precision. */
  addedAt: string;
}

/** Reads Keysmith's `# keysmith [name=N] added=ISO` line; null for any other line. */
export function parseMetadataLine(text: string): KeysmithMetadata | null {
  const match =
    /^# keysmith(?: name=([A-Za-z0-9_-]{1,100}))? added=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(
      text,
    );
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
