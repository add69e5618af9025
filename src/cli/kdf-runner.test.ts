import { pbkdf } from 'bcrypt-pbkdf';
import { describe, expect, it } from 'vitest';
import { bcryptPbkdf } from '../crypto/bcrypt-pbkdf.ts';
import { decodePrivateKey, encodePrivateKey } from '../crypto/private-key.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { createNodeKdf } from './kdf-runner.ts';

describe('createNodeKdf', () => {
  it('computes bcrypt_pbkdf in two worker threads, equal to the reference', async () => {
    const kdf = createNodeKdf();
    try {
      const pass = new TextEncoder().encode('pässwörd 鍵');
      const salt = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
      const expected = new Uint8Array(48);
      pbkdf(pass, pass.length, salt, salt.length, expected, 48, 4);
      const [a, b] = await Promise.all([kdf(pass, salt, 4, 48), kdf(pass, salt, 2, 70)]);
      expect(a).toEqual(expected);
      expect(b).toEqual(bcryptPbkdf(pass, salt, 2, 70));
    } finally {
      await kdf.terminate();
    }
  });

  it('encrypts a key that decodes in-thread', async () => {
    const kdf = createNodeKdf();
    try {
      const pair = await generateEd25519KeyPair();
      const text = await encodePrivateKey(pair, {
        comment: 'workers',
        passphrase: 'pw',
        rounds: 6,
        kdf,
      });
      expect((await decodePrivateKey(text, { passphrase: 'pw' })).seed).toEqual(pair.seed);
      expect((await decodePrivateKey(text, { passphrase: 'pw', kdf })).seed).toEqual(pair.seed);
    } finally {
      await kdf.terminate();
    }
  });

  it('passes worker errors on and refuses work after terminate', async () => {
    const kdf = createNodeKdf();
    await expect(kdf(new Uint8Array(0), new Uint8Array(16), 1, 48)).rejects.toThrow(
      /"pass" must not be empty/,
    );
    await kdf.terminate();
    await expect(kdf(new Uint8Array(1), new Uint8Array(16), 1, 48)).rejects.toThrow(/terminated/);
  });
});
