/**
 * An authorized_keys with many keys, written as Keysmith writes them, for the key list's
 * component tests and the mock mode: expired keys, keys expiring within days, keys without
 * expiry, both access levels, and one key Keysmith did not add.
 */
import { formatExpiryTime } from '../openssh/authorized-keys-options.ts';
import { ed25519PublicBlob } from '../openssh/public-key-blob.ts';
import { formatPublicKey } from '../openssh/public-key-line.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const PURPOSES = ['laptop', 'seqera', 'ci', 'backup', 'desktop', 'cluster'] as const;

/** Key `index`'s name: a purpose and a number, so that sorting by name differs from the file order. */
export function sampleKeyName(index: number): string {
  return `${PURPOSES[index % PURPOSES.length] ?? 'key'}-${String(index).padStart(2, '0')}`;
}

/**
 * When key `index` expires, relative to `now`: every sixth has expired, every sixth expires
 * within 1–12 days, every sixth never; the rest in one to twelve months.
 */
export function sampleKeyExpiry(index: number, now: Date): Date | null {
  switch (index % 6) {
    case 0:
      return new Date(now.getTime() - (index + 1) * DAY_MS);
    case 1:
      return new Date(now.getTime() + ((index % 12) + 1) * DAY_MS + 60_000);
    case 2:
      return null;
    default:
      return new Date(now.getTime() + ((index % 12) + 1) * 30 * DAY_MS);
  }
}

/** A distinct, well-formed ed25519 public key line per index (not a point anyone holds). */
function publicKeyLine(index: number, comment: string): string {
  const publicKey = new Uint8Array(32).fill(0x5a);
  publicKey[0] = index & 0xff;
  publicKey[1] = (index >> 8) & 0xff;
  return formatPublicKey({ type: 'ssh-ed25519', blob: ed25519PublicBlob(publicKey), comment });
}

/** `count` keys; the last one was not added by Keysmith. */
export function sampleKeysFile(now: Date, count = 60): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const name = sampleKeyName(index);
    if (index === count - 1) {
      lines.push(publicKeyLine(index, 'ada@workstation'));
      continue;
    }
    const added = new Date(now.getTime() - (count - index) * DAY_MS);
    const expiry = sampleKeyExpiry(index, now);
    const options = [index % 2 === 0 ? 'restrict' : 'restrict,pty'];
    if (expiry !== null) options.push(`expiry-time="${formatExpiryTime(expiry)}"`);
    lines.push(`# keysmith name=${name} added=${added.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
    lines.push(`${options.join(',')} ${publicKeyLine(index, name)}`);
  }
  return `${lines.join('\n')}\n`;
}
