import { describe, expect, it, vi } from 'vitest';
import { bcryptPbkdf } from '../../crypto/bcrypt-pbkdf.ts';
import type { Kdf } from '../../crypto/kdf.ts';
import { decodePrivateKey, encodePrivateKey } from '../../openssh/private-key.ts';
import { generateEd25519KeyPair } from '../../crypto/keygen.ts';
import { discardKdfHeadStart, kdfWithHeadStart, startKdfHeadStart } from './kdf-head-start.ts';

/** The real bcrypt_pbkdf in this thread, counting its calls. */
function countingKdf() {
  const kdf = vi.fn<Kdf>((passphrase, salt, rounds, keyLength) =>
    Promise.resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength)),
  );
  return kdf;
}

describe('KDF head start', () => {
  it('derives once before the key is made, and the key file opens with the passphrase', async () => {
    const kdf = countingKdf();
    const headStart = startKdfHeadStart(kdf, 'pässphrase');
    expect(kdf).toHaveBeenCalledTimes(1);
    expect(headStart.salt).toHaveLength(16);
    expect(headStart.rounds).toBe(24);

    const pair = await generateEd25519KeyPair();
    const file = await encodePrivateKey(pair, {
      comment: 'head-start',
      passphrase: 'pässphrase',
      kdf: kdfWithHeadStart(headStart, kdf),
      salt: headStart.salt,
    });
    expect(kdf).toHaveBeenCalledTimes(1); // the click derived nothing more
    const decoded = await decodePrivateKey(file, { passphrase: 'pässphrase' });
    expect(decoded.salt).toEqual(headStart.salt);
    expect(decoded.seed).toEqual(pair.seed);
  });

  it('never answers for another passphrase, salt or length, and answers once only', async () => {
    const kdf = countingKdf();
    const headStart = startKdfHeadStart(kdf, 'first');
    const expected = await headStart.keyIv;
    const copy = expected.slice();
    const pass = new TextEncoder().encode('first');
    const other = new TextEncoder().encode('second');
    const salt = headStart.salt;

    const wrapped = kdfWithHeadStart(headStart, kdf);
    expect(await wrapped(other, salt, 24, 48)).toEqual(bcryptPbkdf(other, salt, 24, 48));
    expect(await wrapped(pass, new Uint8Array(16), 24, 48)).toEqual(
      bcryptPbkdf(pass, new Uint8Array(16), 24, 48),
    );
    expect(await wrapped(pass, salt, 24, 32)).toEqual(bcryptPbkdf(pass, salt, 24, 32));
    expect(await wrapped(pass, salt, 4, 48)).toEqual(bcryptPbkdf(pass, salt, 4, 48));
    expect(kdf).toHaveBeenCalledTimes(5);

    expect(await wrapped(pass, salt, 24, 48)).toBe(expected); // the head start itself
    expect(kdf).toHaveBeenCalledTimes(5);
    expect(await wrapped(pass, salt, 24, 48)).toEqual(copy); // a second ask derives anew
    expect(kdf).toHaveBeenCalledTimes(6);
  });

  it('derives again when the head start failed', async () => {
    let calls = 0;
    const kdf: Kdf = (passphrase, salt, rounds, keyLength) => {
      calls++;
      return calls === 1
        ? Promise.reject(new Error('worker stopped'))
        : Promise.resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength));
    };
    const headStart = startKdfHeadStart(kdf, 'pass');
    const pass = new TextEncoder().encode('pass');
    const bytes = await kdfWithHeadStart(headStart, kdf)(pass, headStart.salt, 24, 48);
    expect(bytes).toEqual(bcryptPbkdf(pass, headStart.salt, 24, 48));
    expect(calls).toBe(2);
  });

  it('wipes a discarded head start, and refuses an empty passphrase', async () => {
    const headStart = startKdfHeadStart(countingKdf(), 'unused');
    discardKdfHeadStart(headStart);
    const bytes = await headStart.keyIv;
    await Promise.resolve();
    expect(bytes.every((byte) => byte === 0)).toBe(true);
    expect(() => startKdfHeadStart(countingKdf(), '')).toThrow(RangeError);
  });
});
