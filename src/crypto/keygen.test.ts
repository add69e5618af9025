import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateEd25519KeyPair } from './keygen.ts';
import { ed25519PublicBlob } from '../openssh/public-key-blob.ts';
import { base64Encode } from '../openssh/wire.ts';

/** Node's own OpenSSL Ed25519 as an independent oracle: public key of a seed. */
function opensslPublicKey(seed: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('generateEd25519KeyPair', () => {
  it('uses WebCrypto where the runtime has Ed25519 (Node 20 does)', async () => {
    const pair = await generateEd25519KeyPair();
    expect(pair.source).toBe('webcrypto');
    expect(pair.seed).toHaveLength(32);
    expect(pair.publicKey).toEqual(opensslPublicKey(pair.seed));
    expect(nacl.sign.keyPair.fromSeed(pair.seed).publicKey).toEqual(pair.publicKey);
  });

  it('falls back to tweetnacl when asked, giving keys OpenSSL agrees with', async () => {
    const pair = await generateEd25519KeyPair({ forceFallback: true });
    expect(pair.source).toBe('tweetnacl');
    expect(pair.publicKey).toEqual(opensslPublicKey(pair.seed));
  });

  it('falls back by trying: a runtime whose generateKey rejects Ed25519', async () => {
    const spy = vi
      .spyOn(crypto.subtle, 'generateKey')
      .mockRejectedValue(new DOMException('Unrecognized name.', 'NotSupportedError'));
    const pair = await generateEd25519KeyPair();
    expect(spy).toHaveBeenCalled();
    expect(pair.source).toBe('tweetnacl');
    expect(pair.publicKey).toEqual(opensslPublicKey(pair.seed));
  });

  it('both paths sign interchangeably: WebCrypto seed signs, tweetnacl and OpenSSL verify', async () => {
    for (const options of [{}, { forceFallback: true }]) {
      const pair = await generateEd25519KeyPair(options);
      const message = new TextEncoder().encode('keysmith');
      const signature = nacl.sign.detached(
        message,
        nacl.sign.keyPair.fromSeed(pair.seed).secretKey,
      );
      const pkcs8 = Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        pair.seed,
      ]);
      const nodeKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      expect(new Uint8Array(nodeSign(null, message, nodeKey))).toEqual(signature);
      expect(nodeVerify(null, message, createPublicKey(nodeKey), signature)).toBe(true);
    }
  });

  it('makes a different key each time', async () => {
    const a = await generateEd25519KeyPair();
    const b = await generateEd25519KeyPair();
    const c = await generateEd25519KeyPair({ forceFallback: true });
    expect(a.seed).not.toEqual(b.seed);
    expect(c.seed).not.toEqual(a.seed);
  });
});

describe('ed25519PublicBlob', () => {
  it('is the 51-byte RFC 8709 blob whose base64 starts as every ssh-ed25519 line does', () => {
    const blob = ed25519PublicBlob(new Uint8Array(32).fill(9));
    expect(blob).toHaveLength(51);
    expect(base64Encode(blob)).toMatch(/^AAAAC3NzaC1lZDI1NTE5AAAAI/);
    expect(base64Encode(blob)).toHaveLength(68);
  });

  it('refuses a key of the wrong length or type', () => {
    expect(() => ed25519PublicBlob(new Uint8Array(31))).toThrow(RangeError);
    expect(() => ed25519PublicBlob([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
