/**
 * Recognises private key armour of any common format, so a parser of public keys can say
 * "this is your private key, paste the .pub" instead of "bad base64".
 */

// PEM/OpenSSH armour (RFC 7468 §2): OPENSSH, RSA, EC, DSA, PKCS#8 "PRIVATE KEY", "ENCRYPTED
// PRIVATE KEY"; the SSH.com/RFC 4716-style "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----"; PuTTY.
const PRIVATE_KEY_MARKERS = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
  /---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----/,
  /PuTTY-User-Key-File-\d+:/,
];

/**
 * True when the text contains a private key in any common format (OpenSSH, PEM RSA/EC/DSA,
 * PKCS#8 plain or encrypted, SSH.com, PuTTY .ppk).
 */
export function looksLikePrivateKey(text: string): boolean {
  if (typeof text !== 'string') throw new TypeError('"text" must be a string');
  return PRIVATE_KEY_MARKERS.some((marker) => marker.test(text));
}
