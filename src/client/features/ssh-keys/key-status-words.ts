import type { SshKey } from '../../../api/ssh-keys.ts';
import { formatDay } from './key-display.ts';

/** Keys this close to their expiry say how many days are left: time to replace them. */
export const EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where a key stands with its expiry, as the list shows it. */
export type ExpiryStatus =
  | { kind: 'never' }
  | { kind: 'expired' }
  | { kind: 'soon'; days: number }
  | { kind: 'later'; expiresAt: string };

/** Expired by the server's word, or since the list was read: sshd ignores it either way. */
export function isExpired(key: SshKey, now: Date): boolean {
  return key.expired || (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime());
}

/** Whole calendar days from `from`'s local date to `to`'s (rounded: a DST day has 23 or 25 hours). */
function calendarDays(from: Date, to: Date): number {
  const start = new Date(from.getFullYear(), from.getMonth(), from.getDate()).getTime();
  const end = new Date(to.getFullYear(), to.getMonth(), to.getDate()).getTime();
  return Math.round((end - start) / DAY_MS);
}

export function expiryStatus(key: SshKey, now: Date): ExpiryStatus {
  if (isExpired(key, now)) return { kind: 'expired' };
  if (key.expiresAt === null) return { kind: 'never' };
  const days = calendarDays(now, new Date(key.expiresAt));
  if (days <= EXPIRY_WARNING_DAYS) return { kind: 'soon', days };
  return { kind: 'later', expiresAt: key.expiresAt };
}

export function expiryWords(status: ExpiryStatus): string {
  switch (status.kind) {
    case 'never':
      return 'No expiry';
    case 'expired':
      return 'Expired';
    case 'soon':
      if (status.days <= 0) return 'Expires today';
      if (status.days === 1) return 'Expires tomorrow';
      return `Expires in ${status.days} days`;
    case 'later':
      return `Expires ${formatDay(status.expiresAt)}`;
    default:
      return status satisfies never;
  }
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** "3 days ago", "5 hours ago", "yesterday"; a time ahead of this clock counts as now. */
export function timeAgo(iso: string, now: Date): string {
  const then = new Date(iso);
  const minutes = Math.floor((now.getTime() - then.getTime()) / 60_000);
  if (Number.isNaN(minutes)) return iso;
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${plural(minutes, 'minute')} ago`;
  if (minutes < 24 * 60) return `${plural(Math.floor(minutes / 60), 'hour')} ago`;
  const days = calendarDays(then, now);
  return days <= 1 ? 'yesterday' : `${days} days ago`;
}

/**
 * "Last used 3 days ago from 10.1.2.3" from sshd's log. "Never used" only when the server reads
 * that log (`tracked`); otherwise nothing is known, and nothing is said.
 */
export function lastUseWords(key: SshKey, tracked: boolean, now: Date): string | null {
  if (key.lastUsedAt === null) return tracked ? 'Never used' : null;
  const from = key.lastUsedFrom === null ? '' : ` from ${key.lastUsedFrom}`;
  return `Last used ${timeAgo(key.lastUsedAt, now)}${from}`;
}
