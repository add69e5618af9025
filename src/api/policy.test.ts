import { describe, expect, it } from 'vitest';
import {
  NO_POLICY,
  policyFileSchema,
  policyProblems,
  toPolicy,
  type Policy,
  type PolicySubject,
} from './policy.ts';

const now = new Date('2026-12-06T12:00:00Z');
const day = 24 * 60 * 60 * 1000;
const ed25519: PolicySubject = {
  type: 'ssh-ed25519',
  bits: 256,
  access: 'restricted',
  expiresAt: new Date(now.getTime() + 30 * day),
  from: null,
};
const policy = (fields: Partial<Policy>): Policy => ({ ...NO_POLICY, ...fields });

describe('policyProblems', () => {
  it('finds nothing wrong without a policy, even for a key that never expires', () => {
    expect(policyProblems(NO_POLICY, { ...ed25519, expiresAt: null }, now)).toEqual([]);
  });

  it('refuses a key without expiry under a maximum lifetime, and names the limit', () => {
    expect(
      policyProblems(policy({ maxLifetimeDays: 90 }), { ...ed25519, expiresAt: null }, now),
    ).toEqual(['Keys may live at most 90 days here: choose an expiry date.']);
  });

  it('allows exactly the maximum lifetime and refuses a millisecond more', () => {
    const at = (ms: number) => ({ ...ed25519, expiresAt: new Date(now.getTime() + ms) });
    expect(policyProblems(policy({ maxLifetimeDays: 90 }), at(90 * day), now)).toEqual([]);
    expect(policyProblems(policy({ maxLifetimeDays: 90 }), at(90 * day + 1), now)).toEqual([
      'Keys may live at most 90 days here: choose an expiry date within 90 days.',
    ]);
  });

  it('names the allowed key types', () => {
    const rsa = { ...ed25519, type: 'ssh-rsa', bits: 4096 };
    expect(policyProblems(policy({ allowedKeyTypes: ['ssh-ed25519'] }), rsa, now)).toEqual([
      'ssh-rsa keys are not allowed here: use ssh-ed25519.',
    ]);
    expect(policyProblems(policy({ allowedKeyTypes: ['ssh-ed25519'] }), ed25519, now)).toEqual([]);
  });

  it('applies the RSA size to RSA keys only, at the boundary', () => {
    const rsa = (bits: number) => ({ ...ed25519, type: 'ssh-rsa', bits });
    const p = policy({ minRsaBits: 3072 });
    expect(policyProblems(p, rsa(3072), now)).toEqual([]);
    expect(policyProblems(p, rsa(3071), now)).toEqual([
      'RSA keys need at least 3072 bits here (this one has 3071): make a new key, ideally ed25519.',
    ]);
    expect(policyProblems(p, { ...ed25519, bits: 256 }, now)).toEqual([]);
  });

  it('refuses an access level the site does not allow, custom included', () => {
    const p = policy({ allowedAccess: ['restricted', 'interactive'] });
    expect(policyProblems(p, { ...ed25519, access: 'interactive' }, now)).toEqual([]);
    expect(policyProblems(p, { ...ed25519, access: 'full' }, now)).toEqual([
      'Access "full" is not allowed here: choose restricted or interactive.',
    ]);
    expect(policyProblems(p, { ...ed25519, access: 'custom' }, now)).toHaveLength(1);
  });

  it('requires a from list when the site says so', () => {
    const p = policy({ requireFrom: true });
    expect(policyProblems(p, ed25519, now)).toHaveLength(1);
    expect(policyProblems(p, { ...ed25519, from: [] }, now)).toHaveLength(1);
    expect(policyProblems(p, { ...ed25519, from: ['10.0.0.0/8'] }, now)).toEqual([]);
  });

  it('reports every rule broken, in order', () => {
    const p = policy({ maxLifetimeDays: 1, requireFrom: true, allowedAccess: ['restricted'] });
    expect(policyProblems(p, { ...ed25519, access: 'full' }, now)).toHaveLength(3);
  });
});

describe('policyFileSchema', () => {
  it('reads a policy file and spells out the limits it leaves out', () => {
    const file = policyFileSchema.parse({ maxLifetimeDays: 180, requirePassphrase: true });
    expect(toPolicy(file)).toEqual(policy({ maxLifetimeDays: 180, requirePassphrase: true }));
  });

  it('refuses unknown fields, unknown key types and access levels, and a zero lifetime', () => {
    for (const bad of [
      { maxLifetimeDay: 90 },
      { allowedKeyTypes: ['ssh-dss'] },
      { allowedAccess: ['custom'] },
      { allowedKeyTypes: [] },
      { maxLifetimeDays: 0 },
      { minRsaBits: 512 },
    ]) {
      expect(policyFileSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
