import { describe, expect, it } from 'vitest';
import { KeyStoreError } from '../../store/key-store.ts';
import { createRequestLimit } from './ldap-request-limit.ts';

describe('createRequestLimit', () => {
  it('admits up to the bound per user, then 429 with Retry-After, and again after a release', () => {
    const admit = createRequestLimit(2);
    const first = admit('alice');
    admit('alice');
    admit('bob');
    let refused: unknown;
    try {
      admit('alice');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(KeyStoreError);
    expect(refused).toMatchObject({ status: 429, code: 'too-many-requests', retryAfterSeconds: 1 });
    first();
    first();
    expect(() => admit('alice')).not.toThrow();
    expect(() => admit('alice')).toThrow(KeyStoreError);
  });
});
