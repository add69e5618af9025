/**
 * The names of OpenSSH public key types: those Keysmith accepts, those sshd reads (sshkey.c
 * keyimpls), and the labels ssh-keygen prints for them.
 */

export type PublicKeyType =
  | 'ssh-ed25519'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'sk-ssh-ed25519@openssh.com'
  | 'sk-ecdsa-sha2-nistp256@openssh.com';

export interface PublicKey {
  type: PublicKeyType;
  /** The decoded key blob (what the base64 field holds). */
  blob: Uint8Array;
  /** Key size as `ssh-keygen -l` prints it: 256 for ed25519, the modulus bits for RSA, … */
  bits: number;
  comment: string;
}

export const KEY_TYPES: readonly PublicKeyType[] = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** True when `type` is one of the key type names Keysmith accepts. */
export function isPublicKeyType(type: string): type is PublicKeyType {
  return (KEY_TYPES as readonly string[]).includes(type);
}

/** Key types OpenSSH knows but Keysmith refuses, with the reason given to the user. */
export const REFUSED_TYPES: Readonly<Record<string, string>> = {
  'ssh-dss':
    'DSA keys ("ssh-dss") are disabled in OpenSSH and no longer accepted. Make a new key with: ssh-keygen -t ed25519',
};

/** sshkey.c keyimpls: every name sshkey_read accepts before the base64, as Keysmith's type. */
export const SSHD_TYPE_NAMES: Readonly<Record<string, PublicKeyType>> = {
  'ssh-ed25519': 'ssh-ed25519',
  'sk-ssh-ed25519@openssh.com': 'sk-ssh-ed25519@openssh.com',
  'ecdsa-sha2-nistp256': 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384': 'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521': 'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'sk-ecdsa-sha2-nistp256@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com': 'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-rsa': 'ssh-rsa',
  'rsa-sha2-256': 'ssh-rsa',
  'rsa-sha2-512': 'ssh-rsa',
};

/** True for a word sshd (or an older OpenSSH) reads as a key type, also those Keysmith refuses. */
export function looksLikeKeyTypeName(word: string): boolean {
  return (
    Object.hasOwn(SSHD_TYPE_NAMES, word) ||
    word === 'ssh-dss' ||
    /^[a-z0-9-]+-cert-v01@openssh\.com$/.test(word)
  );
}

/** The type name ssh-keygen prints in brackets after a fingerprint (sshkey_type()). */
export function keyTypeLabel(type: PublicKeyType): string {
  switch (type) {
    case 'ssh-ed25519':
      return 'ED25519';
    case 'ssh-rsa':
      return 'RSA';
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return 'ECDSA';
    case 'sk-ssh-ed25519@openssh.com':
      return 'ED25519-SK';
    case 'sk-ecdsa-sha2-nistp256@openssh.com':
      return 'ECDSA-SK';
    default:
      throw new TypeError(`unknown key type ${String(type satisfies never)}`);
  }
}
