/**
 * Why a key was refused, for code that must react (the server maps codes to HTTP answers, the
 * UI to a hint): `invalid-key` the text is not a well-formed key, `private-key` a private key was
 * given where a public one belongs, `wrong-passphrase` decryption failed its check, `unsupported`
 * well-formed but of a kind Keysmith does not handle (cipher, KDF, key type).
 */
export type KeyFormatErrorCode = 'invalid-key' | 'private-key' | 'wrong-passphrase' | 'unsupported';

/** A key text that cannot be used; the message names the problem and what to do about it. */
export class KeyFormatError extends Error {
  readonly code: KeyFormatErrorCode;

  constructor(code: KeyFormatErrorCode, message: string) {
    super(message);
    this.name = 'KeyFormatError';
    this.code = code;
  }
}

/** A KeyFormatError for text that is not a well-formed key. */
export function invalidKey(message: string): KeyFormatError {
  return new KeyFormatError('invalid-key', message);
}

/** Shows a short, safe rendering of untrusted text inside an error message. */
export function printable(text: string): string {
  const cleaned = text.replace(/[\p{Cc}]/gu, '?');
  return cleaned.length > 40 ? `${cleaned.slice(0, 40)}…` : cleaned;
}
