/**
 * A site's limits on the keys its users add (`--policy FILE`), as `GET /api/policy` sends them,
 * and the one check of a key against them: the server refuses an add with it, the page offers
 * only what passes it and flags listed keys that break it.
 */
import * as z from 'zod/mini';
import { ACCESS_LEVELS, type DerivedAccess } from '../openssh/access-levels.ts';
import { KEY_TYPES } from '../openssh/key-types.ts';

const days = z.int().check(z.minimum(1), z.maximum(36_500));

/** The policy file's fields, each optional: a field left out sets no limit. */
export const policyFileSchema = z.strictObject({
  /** The longest a key may live; a key without expiry is refused when set. */
  maxLifetimeDays: z.optional(days),
  /** Key types as written in a key line, e.g. `ssh-ed25519`. */
  allowedKeyTypes: z.optional(z.array(z.enum(KEY_TYPES)).check(z.minLength(1))),
  minRsaBits: z.optional(z.int().check(z.minimum(1024), z.maximum(16_384))),
  allowedAccess: z.optional(z.array(z.enum(ACCESS_LEVELS)).check(z.minLength(1))),
  /** Every key must carry a `from=` list of source addresses. */
  requireFrom: z.optional(z.boolean()),
  /** Kept by the page only: the server never sees a private key. */
  requirePassphrase: z.optional(z.boolean()),
});
export type PolicyFile = z.infer<typeof policyFileSchema>;

/** `GET /api/policy`: the policy with every limit spelled out (null or false: no limit). */
export const policySchema = z.object({
  maxLifetimeDays: z.nullable(days),
  allowedKeyTypes: z.nullable(z.array(z.string())),
  minRsaBits: z.nullable(z.int()),
  allowedAccess: z.nullable(z.array(z.enum(ACCESS_LEVELS))),
  requireFrom: z.boolean(),
  requirePassphrase: z.boolean(),
});
export type Policy = z.infer<typeof policySchema>;

/** No limits: what a server without `--policy` sends. */
export const NO_POLICY: Policy = {
  maxLifetimeDays: null,
  allowedKeyTypes: null,
  minRsaBits: null,
  allowedAccess: null,
  requireFrom: false,
  requirePassphrase: false,
};

/** A policy file's fields as the API sends them. */
export function toPolicy(file: PolicyFile): Policy {
  return {
    maxLifetimeDays: file.maxLifetimeDays ?? null,
    allowedKeyTypes: file.allowedKeyTypes ?? null,
    minRsaBits: file.minRsaBits ?? null,
    allowedAccess: file.allowedAccess ?? null,
    requireFrom: file.requireFrom ?? false,
    requirePassphrase: file.requirePassphrase ?? false,
  };
}

/** What the check needs of a key, new (a request) or listed. */
export interface PolicySubject {
  type: string;
  bits: number;
  access: DerivedAccess;
  /** When the key stops working, or null for never. */
  expiresAt: Date | null;
  from: readonly string[] | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Each rule of `policy` that `key` breaks, as a sentence naming the rule and its limit; empty
 * when the key passes. `now` is when the key is (or was) added: the lifetime counts from it.
 */
export function policyProblems(policy: Policy, key: PolicySubject, now: Date): string[] {
  const problems: string[] = [];
  const maxDays = policy.maxLifetimeDays;
  if (maxDays !== null) {
    if (key.expiresAt === null) {
      problems.push(`Keys may live at most ${maxDays} days here: choose an expiry date.`);
    } else if (key.expiresAt.getTime() - now.getTime() > maxDays * DAY_MS) {
      problems.push(
        `Keys may live at most ${maxDays} days here: choose an expiry date within ${maxDays} days.`,
      );
    }
  }
  if (policy.allowedKeyTypes !== null && !policy.allowedKeyTypes.includes(key.type)) {
    problems.push(
      `${key.type} keys are not allowed here: use ${policy.allowedKeyTypes.join(' or ')}.`,
    );
  }
  if (policy.minRsaBits !== null && key.type === 'ssh-rsa' && key.bits < policy.minRsaBits) {
    problems.push(
      `RSA keys need at least ${policy.minRsaBits} bits here (this one has ${key.bits}): make a new key, ideally ed25519.`,
    );
  }
  if (policy.allowedAccess !== null && !policy.allowedAccess.some((a) => a === key.access)) {
    problems.push(
      `Access "${key.access}" is not allowed here: choose ${policy.allowedAccess.join(' or ')}.`,
    );
  }
  if (policy.requireFrom && (key.from === null || key.from.length === 0)) {
    problems.push(
      'Keys need a list of source addresses here: add the networks you log in from, such as 10.0.0.0/8.',
    );
  }
  return problems;
}
