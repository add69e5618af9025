// bcrypt-pbkdf ships no types and has no @types package. Only what we call is declared.
declare module 'bcrypt-pbkdf' {
  /** OpenBSD bcrypt_pbkdf(3); returns 0 on success, -1 on bad arguments. */
  export function pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
  /** The inner bcrypt_hash: 32 bytes out from 64-byte SHA-512 digests. */
  export function hash(sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void;
}
