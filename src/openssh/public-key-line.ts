/**
 * The one-line form of an OpenSSH public key, `type base64 comment`, as ssh-keygen(1) writes it
 * in a .pub file: read strictly, written the same way.
 */
import { KeyFormatError, invalidKey as invalid, printable } from './errors.ts';
import { REFUSED_TYPES, isPublicKeyType, type PublicKey } from './key-types.ts';
import { looksLikePrivateKey } from './private-key-detect.ts';
import { parsePublicKeyBlob } from './public-key-blob.ts';
import { base64DecodeCanonical, base64Encode, hasLoneSurrogate } from './wire.ts';

/** Finds the first control character (C0, DEL, C1) or lone surrogate; null when there is none. */
export function findControlCharacter(text: string): string | null {
  const match = /\p{Cc}/u.exec(text);
  if (match) {
    const code = match[0].charCodeAt(0);
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (hasLoneSurrogate(text)) return 'an unpaired UTF-16 surrogate';
  return null;
}

/**
 * Finds the first Unicode bidirectional control (UAX #9: embeddings, overrides, isolates and
 * marks), which can make a comment display as other text; null when there is none.
 */
export function findBidiControl(text: string): string | null {
  const match = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.exec(text);
  return match === null
    ? null
    : `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Reads `type base64 [comment]` the way OpenSSH's sshkey_read does: fields separated by runs of
 * spaces or tabs, the comment is the rest of the line. Trailing spaces and tabs of the comment
 * are dropped. Does not look at the comment's characters.
 */
export function parseKeyFields(text: string): PublicKey {
  const match = /^([^ \t]*)[ \t]*([^ \t]*)[ \t]*(.*?)[ \t]*$/su.exec(text);
  const typeText = match?.[1] ?? '';
  const base64 = match?.[2] ?? '';
  const comment = match?.[3] ?? '';
  if (!isPublicKeyType(typeText)) {
    const refused = REFUSED_TYPES[typeText];
    if (refused !== undefined) throw new KeyFormatError('unsupported', refused);
    if (/^[a-z0-9-]+-cert-v01@openssh\.com$/.test(typeText)) {
      throw new KeyFormatError(
        'unsupported',
        `"${typeText}" is an OpenSSH certificate, not a plain public key. Paste the public key itself (the .pub file without -cert).`,
      );
    }
    throw invalid(
      `The line does not start with a supported key type ("${printable(typeText)}"). A public key line starts with ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or sk-ssh-ed25519@openssh.com / sk-ecdsa-sha2-nistp256@openssh.com.`,
    );
  }
  if (base64 === '') {
    throw invalid(
      `The line has the key type "${typeText}" but no key data after it: copy the whole line from the .pub file.`,
    );
  }
  const blob = base64DecodeCanonical(base64);
  if (blob === null) {
    throw invalid(
      /^[A-Za-z0-9+/]*={0,2}$/.test(base64) && base64.length % 4 === 0
        ? 'The key data is not canonical base64 (its final characters were altered, so the same key would have two spellings). Copy the line again from the .pub file.'
        : 'The key data is not valid base64 (it is cut short or contains characters outside A–Z, a–z, 0–9, +, / and = padding). Copy the whole line again from the .pub file.',
    );
  }
  const { type, bits } = parsePublicKeyBlob(blob, typeText);
  return { type, blob, bits, comment };
}

/**
 * Parses one OpenSSH public key line, `type base64 [comment]`, as found in a .pub file. One
 * trailing LF or CRLF is tolerated; options, a second line or control characters in the
 * comment are not.
 * @throws KeyFormatError naming the problem; code `private-key` when a private key was pasted.
 */
export function parsePublicKey(text: string): PublicKey {
  if (typeof text !== 'string') throw new TypeError('"text" must be a string');
  if (looksLikePrivateKey(text)) {
    throw new KeyFormatError(
      'private-key',
      'This is a private key, which must never be shared. Paste the public key instead: the contents of the matching .pub file (or the output of: ssh-keygen -y -f KEYFILE).',
    );
  }
  if (/^---- BEGIN SSH2 PUBLIC KEY ----|^-----BEGIN (RSA )?PUBLIC KEY-----/m.test(text)) {
    throw new KeyFormatError(
      'unsupported',
      'This public key is in RFC 4716 or PEM form. Convert it to the OpenSSH one-line form first: ssh-keygen -i -f KEYFILE (add -m PKCS8 for a PEM key).',
    );
  }
  const line = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(line)) {
    throw invalid(
      'The text has more than one line: paste exactly one public key line (`type base64 comment`).',
    );
  }
  if (line.trim() === '') {
    throw invalid(
      'The public key is empty: paste the contents of your .pub file, one line starting with e.g. ssh-ed25519.',
    );
  }
  // sshd skips leading blanks (auth2-pubkeyfile.c); so does ssh-keygen -l.
  const keyLine = line.replace(/^[ \t]+/, '');
  const tokens = keyLine.split(/[ \t]+/);
  const firstToken = tokens[0] ?? '';
  const typeAt = tokens.findIndex((t) => isPublicKeyType(t));
  if (!isPublicKeyType(firstToken) && typeAt > 0) {
    throw invalid(
      `The line has "${printable(tokens.slice(0, typeAt).join(' '))}" before the key type: options and host names are not allowed here. Paste only the key line, starting with ${tokens[typeAt] ?? 'the key type'}.`,
    );
  }
  const key = parseKeyFields(keyLine);
  const bad = findControlCharacter(key.comment);
  if (bad !== null) {
    throw invalid(
      `The comment contains a control character (${bad}): a comment must be printable text on one line. Remove it and try again.`,
    );
  }
  const bidi = findBidiControl(key.comment);
  if (bidi !== null) {
    throw invalid(
      `The comment contains a Unicode bidirectional control (${bidi}), which can make it display as different text. Remove it and try again.`,
    );
  }
  return key;
}

/**
 * Formats `type base64 comment` without a newline. Like ssh-keygen, a space is written even
 * before an empty comment.
 * @throws RangeError when the comment contains a control character (it could start a new
 * authorized_keys line, sshd(8)).
 */
export function formatPublicKey(key: { type: string; blob: Uint8Array; comment: string }): string {
  if (typeof key.type !== 'string') throw new TypeError('"type" must be a string');
  if (!(key.blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  if (typeof key.comment !== 'string') throw new TypeError('"comment" must be a string');
  if (!/^[A-Za-z0-9@.-]+$/.test(key.type)) {
    throw new RangeError(
      `"type" must be a key type name such as ssh-ed25519, not "${printable(key.type)}"`,
    );
  }
  const bad = findControlCharacter(key.comment);
  if (bad !== null)
    throw new RangeError(`"comment" must not contain control characters (found ${bad})`);
  return `${key.type} ${base64Encode(key.blob)} ${key.comment}`;
}
