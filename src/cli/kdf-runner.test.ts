import { pbkdf } from 'bcrypt-pbkdf';
import { afterAll, describe, expect, it } from 'vitest';
import { bcryptPbkdf } from '../crypto/bcrypt-pbkdf.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { decodePrivateKey, encodePrivateKey } from '../openssh/private-key.ts';
import { createNodeKdf } from './kdf-runner.ts';

// One runner for the file: starting a worker from TypeScript source (through tsx) is slow.
const kdf = createNodeKdf();
afterAll(async () => {
  await kdf.terminate();
});

describe('createNodeKdf', () => {
  it('computes bcrypt_pbkdf in worker threads, equal to the reference', async () => {
    const pass = new TextEncoder().encode('pässwörd 鍵');
    const salt = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const expected = new Uint8Array(48);
    pbkdf(pass, pass.length, salt, salt.length, expected, 48, 4);
    const [a, b] = await Promise.all([kdf(pass, salt, 4, 48), kdf(pass, salt, 2, 70)]);
    expect(a).toEqual(expected);
    expect(b).toEqual(bcryptPbkdf(pass, salt, 2, 70));
  });

  it('leaves the calling thread free while it works', async () => {
    await kdf(new Uint8Array([1]), new Uint8Array(16), 1, 48); // workers started
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await kdf(new TextEncoder().encode('pw'), new Uint8Array(16), 16, 48);
    } finally {
      clearInterval(timer);
    }
    // In-thread, 16 rounds block the event loop for hundreds of milliseconds: zero ticks.
    expect(ticks).toBeGreaterThan(5);
  });

  it('encrypts a key that decodes in-thread', async () => {
    const pair = await generateEd25519KeyPair();
    const text = await encodePrivateKey(pair, { comment: 'w', passphrase: 'pw', rounds: 6, kdf });
    expect((await decodePrivateKey(text, { passphrase: 'pw' })).seed).toEqual(pair.seed);
  });

  it('passes worker errors on, and refuses work after terminate', async () => {
    await expect(kdf(new Uint8Array(0), new Uint8Array(16), 1, 48)).rejects.toThrow(
      /"pass" must not be empty/,
    );
    const other = createNodeKdf();
    await other.terminate();
    await expect(other(new Uint8Array(1), new Uint8Array(16), 1, 48)).rejects.toThrow(/terminated/);
  });
});
