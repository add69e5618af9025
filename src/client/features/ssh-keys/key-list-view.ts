import type { SshKey } from '../../../api/ssh-keys.ts';
import { keyDisplayName } from './key-display.ts';

/** The orders the list offers; "file" is the order of authorized_keys itself. */
export type KeySort = 'file' | 'name' | 'added' | 'expiry' | 'last-use';

export const keySorts: readonly { value: KeySort; label: string }[] = [
  { value: 'file', label: 'Order in the file' },
  { value: 'name', label: 'Name' },
  { value: 'added', label: 'Newest first' },
  { value: 'expiry', label: 'Expiring first' },
  { value: 'last-use', label: 'Last used first' },
];

/** Name, comment or fingerprint contains the query, ignoring case and surrounding blanks. */
export function matchesSearch(key: SshKey, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === '') return true;
  return [keyDisplayName(key), key.comment, key.fingerprint].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** A time for sorting: unknown (null) sorts after every known time whichever the direction. */
function time(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function byTime(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return (a - b) * direction;
}

function compare(sort: KeySort, a: SshKey, b: SshKey): number {
  switch (sort) {
    case 'file':
      return 0;
    case 'name':
      return collator.compare(keyDisplayName(a), keyDisplayName(b));
    case 'added':
      return byTime(time(a.addedAt), time(b.addedAt), -1);
    case 'expiry':
      return byTime(time(a.expiresAt), time(b.expiresAt), 1);
    case 'last-use':
      return byTime(time(a.lastUsedAt), time(b.lastUsedAt), -1);
    default:
      return sort satisfies never;
  }
}

/** The keys that match `query`, in the chosen order; ties keep the file's order. */
export function viewKeys(keys: readonly SshKey[], query: string, sort: KeySort): SshKey[] {
  const shown = keys.filter((key) => matchesSearch(key, query));
  return shown.sort((a, b) => compare(sort, a, b) || a.line - b.line);
}
