/**
 * Ed25519 key pairs (RFC 8032) from the platform's WebCrypto, or from tweetnacl where the
 * runtime lacks WebCrypto Ed25519 (e.g. Firefox ESR 128). Randomness comes only from WebCrypto.
 */
import { bytesEqual } from './bytes.ts';

export interface Ed25519KeyPair {
  /** The 32-byte private seed (RFC 8032 §5.1.5 "private key"). */
  seed: Uint8Array;
  /** The 32-byte public key. */
  publicKey: Uint8Array;
  /** Which implementation made the pair. */
  source: 'webcrypto' | 'tweetnacl';
}

/**
 * PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410 §7) is these 16 bytes then the 32-byte seed:
 * SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }.
 */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5). Natively through WebCrypto
 * (import the seed as PKCS#8, export as JWK: RFC 8037 §2 puts the public key in "x"), which
 * takes microseconds; tweetnacl, loaded only then, where WebCrypto lacks Ed25519.
 */
export async function ed25519PublicKeyFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  if (!(seed instanceof Uint8Array)) throw new TypeError('"seed" must be a Uint8Array');
  if (seed.length !== 32) throw new RangeError(`"seed" must be 32 bytes, got ${seed.length}`);
  const pkcs8 = new Uint8Array(48);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, 16);
  try {
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', key);
    if (typeof jwk.x === 'string') return base64UrlDecode(jwk.x);
  } catch {
    // No WebCrypto Ed25519 here: compute it in JavaScript below.
  } finally {
    pkcs8.fill(0);
  }
  const { default: nacl } = await import('tweetnacl');
  return nacl.sign.keyPair.fromSeed(seed).publicKey;
}

async function generateWithWebCrypto(): Promise<Ed25519KeyPair> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  if (!('privateKey' in pair)) throw new Error('Ed25519 generateKey returned a single key');
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  // The layout check (RFC 8410 §7) is what guarantees these 32 bytes are the seed; the
  // seed-to-public-key check is left to encodePrivateKey, which does it once, natively.
  if (pkcs8.length !== 48 || !bytesEqual(pkcs8.subarray(0, 16), PKCS8_ED25519_PREFIX)) {
    throw new Error('unexpected PKCS#8 layout for Ed25519');
  }
  if (publicKey.length !== 32) throw new Error('WebCrypto Ed25519 export does not match RFC 8032');
  const seed = pkcs8.slice(16);
  pkcs8.fill(0);
  return { seed, publicKey, source: 'webcrypto' };
}

/**
 * Makes a new Ed25519 key pair. Uses WebCrypto Ed25519 when the runtime has it (found by
 * trying, not by user agent), else tweetnacl with a seed from crypto.getRandomValues.
 * `forceFallback` skips WebCrypto (for tests).
 */
export async function generateEd25519KeyPair(
  options: { forceFallback?: boolean } = {},
): Promise<Ed25519KeyPair> {
  if (options.forceFallback !== true) {
    try {
      return await generateWithWebCrypto();
    } catch {
      // No Ed25519 in this runtime's WebCrypto (or no crypto.subtle outside a secure context).
    }
  }
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const { default: nacl } = await import('tweetnacl');
  const { publicKey } = nacl.sign.keyPair.fromSeed(seed);
  return { seed, publicKey, source: 'tweetnacl' };
}
