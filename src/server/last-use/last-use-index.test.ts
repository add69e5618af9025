import { describe, expect, it } from 'vitest';
import { createLastUseIndex } from './last-use-index.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 7, minute));
const fp = (n: number) => `SHA256:${String(n).padStart(43, 'A')}`;

describe('createLastUseIndex', () => {
  it('keeps the latest login per user and key, whatever the order read', () => {
    const index = createLastUseIndex();
    index.record({ user: 'alice', fingerprint: fp(1), at: at(5), from: '10.0.0.5' });
    index.record({ user: 'alice', fingerprint: fp(1), at: at(3), from: '10.0.0.3' });
    index.record({ user: 'alice', fingerprint: fp(2), at: at(1), from: '10.0.0.1' });
    expect(index.forUser('alice')).toEqual(
      new Map([
        [fp(1), { at: at(5), from: '10.0.0.5' }],
        [fp(2), { at: at(1), from: '10.0.0.1' }],
      ]),
    );
  });

  it("never shows one user another's login with the same key", () => {
    const index = createLastUseIndex();
    index.record({ user: 'bob', fingerprint: fp(1), at: at(5), from: '192.0.2.9' });
    expect(index.forUser('alice').size).toBe(0);
    expect(index.forUser('Bob').size).toBe(0);
    expect(index.forUser('bob').size).toBe(1);
  });

  it('drops the key used longest ago past the per-user limit', () => {
    const index = createLastUseIndex({ maxKeysPerUser: 2 });
    index.record({ user: 'alice', fingerprint: fp(1), at: at(1), from: '10.0.0.1' });
    index.record({ user: 'alice', fingerprint: fp(2), at: at(2), from: '10.0.0.2' });
    index.record({ user: 'alice', fingerprint: fp(3), at: at(3), from: '10.0.0.3' });
    // Older than everything held: not taken.
    index.record({ user: 'alice', fingerprint: fp(4), at: at(0), from: '10.0.0.4' });
    expect([...index.forUser('alice').keys()]).toEqual([fp(2), fp(3)]);
  });

  it('bounds the entries over all users, dropping the user changed longest ago', () => {
    const index = createLastUseIndex({ maxEntries: 3 });
    index.record({ user: 'alice', fingerprint: fp(1), at: at(1), from: '10.0.0.1' });
    index.record({ user: 'bob', fingerprint: fp(1), at: at(1), from: '10.0.0.1' });
    index.record({ user: 'alice', fingerprint: fp(2), at: at(2), from: '10.0.0.2' });
    for (let n = 0; n < 1000; n += 1) {
      index.record({ user: `forged${n}`, fingerprint: fp(n), at: at(3), from: '10.0.0.3' });
    }
    expect(index.forUser('bob').size).toBe(0);
    expect(index.forUser('alice').size).toBe(0);
    expect(index.forUser('forged999').size).toBe(1);
    expect(index.forUser('forged997').size).toBe(1);
    expect(index.forUser('forged996').size).toBe(0);
  });
});
