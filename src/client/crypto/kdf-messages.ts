/** What the page asks a KDF worker: one 32-byte block of bcrypt_pbkdf (1-based). */
export interface KdfBlockRequest {
  id: number;
  passphrase: Uint8Array;
  salt: Uint8Array;
  rounds: number;
  block: number;
}

export type KdfBlockResponse =
  { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };
