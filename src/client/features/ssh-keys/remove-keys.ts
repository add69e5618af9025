import type { SshKey } from '../../../api/ssh-keys.ts';
import { ApiError } from '../../api/fetch-json.ts';
import { isExpired } from './key-status-words.ts';

export interface RemovalFailure {
  key: SshKey;
  message: string;
}

export interface RemovalOutcome {
  removed: SshKey[];
  failed: RemovalFailure[];
}

/**
 * Removes the keys one after another (each removal takes the file's lock, and proxy mode caps a
 * user's requests at once), going on past a failure so that one bad key blocks no other. A key
 * that is already gone (404) counts as removed: what the user asked for holds.
 */
export async function removeKeys(
  keys: readonly SshKey[],
  remove: (fingerprint: string) => Promise<void>,
): Promise<RemovalOutcome> {
  const outcome: RemovalOutcome = { removed: [], failed: [] };
  for (const key of keys) {
    try {
      await remove(key.fingerprint);
      outcome.removed.push(key);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not-found') outcome.removed.push(key);
      else {
        outcome.failed.push({
          key,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return outcome;
}

/**
 * Expired keys that can go: DELETE removes every line of a key, so a key that also stands on a
 * line that has not expired stays.
 */
export function removableExpiredKeys(keys: readonly SshKey[], now: Date): SshKey[] {
  const live = new Set(keys.filter((key) => !isExpired(key, now)).map((key) => key.fingerprint));
  const seen = new Set<string>();
  return keys.filter((key) => {
    if (!isExpired(key, now) || live.has(key.fingerprint) || seen.has(key.fingerprint)) {
      return false;
    }
    seen.add(key.fingerprint);
    return true;
  });
}
