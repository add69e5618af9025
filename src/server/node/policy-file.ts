/** `--policy FILE`: the site's limits on added keys, read once at start. */
import { readFileSync } from 'node:fs';
import { policyFileSchema, toPolicy, type Policy } from '../../api/policy.ts';
import { describeIssues } from '../http/errors.ts';

/** The policy in `file`, or a message naming the field that is wrong, for the start to stop on. */
export function readPolicyFile(file: string): { policy: Policy } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return {
      error: `--policy ${file}: ${error instanceof Error ? error.message : String(error)}. Give a readable JSON file such as {"maxLifetimeDays": 180}.`,
    };
  }
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) {
    return {
      error: `--policy ${file}: ${describeIssues(parsed.error.issues)} The fields are maxLifetimeDays, allowedKeyTypes, minRsaBits, allowedAccess, requireFrom and requirePassphrase (README, "Configuration").`,
    };
  }
  return { policy: toPolicy(parsed.data) };
}
