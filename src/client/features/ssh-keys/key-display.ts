import type { SshKey } from '../../../api/ssh-keys.ts';
import { isPublicKeyType, keyTypeLabel } from '../../../openssh/key-types.ts';

/** Keysmith's name, else the comment, else the line number: what the user calls the key. */
export function keyDisplayName(key: SshKey): string {
  return key.name ?? (key.comment === '' ? `Key on line ${key.line}` : key.comment);
}

/** `YYYY-MM-DD` in local time: short and unambiguous whatever the browser's language. */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The key's access in words, from the options the server decoded. */
export function accessLabel(key: SshKey): string {
  switch (key.access) {
    case 'restricted':
      return 'Restricted (no terminal, no forwarding)';
    case 'interactive':
      return 'Interactive login';
    case 'full':
      return 'Full access (no restrictions)';
    case 'custom':
      return `Custom: ${key.options.raw.join(',')}`;
    default:
      return key.access satisfies never;
  }
}

/** The type as `ssh-keygen -l` labels it, with the size where it varies: "ED25519", "RSA 3072". */
export function shortTypeLabel(key: SshKey): string {
  if (!isPublicKeyType(key.type)) return key.type;
  const label = keyTypeLabel(key.type);
  return label === 'RSA' || label === 'ECDSA' ? `${label} ${key.bits}` : label;
}

/** The access in a word or two, for a row of the list. */
export function shortAccessLabel(key: SshKey): string {
  switch (key.access) {
    case 'restricted':
      return 'Restricted';
    case 'interactive':
      return 'Interactive login';
    case 'full':
      return 'Full access';
    case 'custom':
      return 'Custom options';
    default:
      return key.access satisfies never;
  }
}
