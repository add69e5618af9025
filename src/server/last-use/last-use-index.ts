/**
 * The latest login per user and key, from sshd's log: what `GET /api/ssh-keys` shows as
 * `lastUsedAt` and `lastUsedFrom`. Bounded, since any local user can write lines that look like
 * sshd's to a syslog file: a flood of them evicts entries, it never grows memory past the limits.
 */
import type { LoginEvent } from './sshd-log-line.ts';

export interface LastUse {
  at: Date;
  from: string;
}

export interface LastUseIndex {
  record(event: LoginEvent): void;
  /** The user's keys by fingerprint; empty when none was seen. Never another user's. */
  forUser(user: string): ReadonlyMap<string, LastUse>;
}

export interface LastUseLimits {
  /** Keys remembered per user; past it, the one used longest ago goes. */
  maxKeysPerUser?: number;
  /** Entries over all users; past it, the user whose entries changed longest ago goes. */
  maxEntries?: number;
}

const NONE: ReadonlyMap<string, LastUse> = new Map();

/** An empty index holding at most `limits` entries (defaults: 1,000 per user, 100,000 in all). */
export function createLastUseIndex(limits: LastUseLimits = {}): LastUseIndex {
  const maxKeysPerUser = Math.max(1, limits.maxKeysPerUser ?? 1000);
  const maxEntries = limits.maxEntries ?? 100_000;
  // Map order is insertion order: a user is moved to the end on each change, so the first is
  // the one changed longest ago.
  const users = new Map<string, Map<string, LastUse>>();
  let entries = 0;

  return {
    record(event) {
      let keys = users.get(event.user);
      if (keys === undefined) keys = new Map();
      else users.delete(event.user);
      users.set(event.user, keys);
      const known = keys.get(event.fingerprint);
      if (known !== undefined) {
        if (known.at.getTime() <= event.at.getTime()) {
          keys.set(event.fingerprint, { at: event.at, from: event.from });
        }
        return;
      }
      if (keys.size >= maxKeysPerUser) {
        let oldest: [string, LastUse] | null = null;
        for (const entry of keys) {
          if (oldest === null || entry[1].at.getTime() < oldest[1].at.getTime()) oldest = entry;
        }
        if (oldest === null || oldest[1].at.getTime() > event.at.getTime()) return;
        keys.delete(oldest[0]);
        entries -= 1;
      }
      keys.set(event.fingerprint, { at: event.at, from: event.from });
      entries += 1;
      for (const [user, held] of users) {
        if (entries <= maxEntries || user === event.user) break;
        users.delete(user);
        entries -= held.size;
      }
    },
    forUser: (user) => users.get(user) ?? NONE,
  };
}
