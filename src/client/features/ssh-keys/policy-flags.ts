import { policyProblems, type Policy } from '../../../api/policy.ts';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { isExpired } from './key-status-words.ts';

/** Each listed, unexpired key's policy problems, by line (an expired key no longer logs in). */
export function problemsByLine(
  keys: readonly SshKey[],
  policy: Policy,
  now: Date,
): ReadonlyMap<number, readonly string[]> {
  const problems = new Map<number, readonly string[]>();
  for (const key of keys) {
    if (isExpired(key, now)) continue;
    const found = policyProblems(
      policy,
      {
        type: key.type,
        bits: key.bits,
        access: key.access,
        expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt),
        from: key.options.from,
      },
      // The lifetime counts from the day the key was added, when Keysmith knows it.
      key.addedAt === null ? now : new Date(key.addedAt),
    );
    if (found.length > 0) problems.set(key.line, found);
  }
  return problems;
}
