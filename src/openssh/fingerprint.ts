/** Key fingerprints as ssh-keygen(1) prints them with -l (its default hash, SHA256). */
import { sha256 } from '@noble/hashes/sha2.js';
import { base64Encode } from './wire.ts';

/** `SHA256:` + unpadded base64 of SHA-256(blob), 50 characters, as `ssh-keygen -l` prints it. */
export function fingerprintSha256(blob: Uint8Array): string {
  if (!(blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  return `SHA256:${base64Encode(sha256(blob)).replace(/=+$/, '')}`;
}
