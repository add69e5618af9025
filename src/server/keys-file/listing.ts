/**
 * A read file as the API lists it: every key line sshd would log in with (also those Keysmith
 * did not add, or would not write so), and the lines that look like keys but that sshd ignores.
 */
import type { IgnoredLine, KeyFlag, SshKey } from '../../api/ssh-keys.ts';
import {
  decodeOptions,
  deriveAccess,
  earliestExpiry,
} from '../../openssh/authorized-keys-options.ts';
import { formatPublicKey } from '../../openssh/public-key-line.ts';
import type { KeyQuirk } from '../../openssh/sshd-key-reader.ts';
import {
  isIgnoredBySshd,
  readLine,
  readModel,
  type AuthorizedKeysModel,
  type KeyLine,
} from './model.ts';

/**
 * sshd ignores the comment, so a foreign line may carry control characters in it; the listing
 * shows them as U+FFFD, and bidirectional controls escaped, rather than refusing the whole file.
 */
export function displayComment(comment: string): string {
  // \p{Cc}: C0, DEL and C1 controls, as formatPublicKey refuses them; bidirectional controls
  // (UAX #9), which parsePublicKey refuses, are shown as \u202E so the text reads as it is.
  return comment
    .replaceAll('\t', ' ')
    .replace(/\p{Cc}/gu, '\uFFFD')
    .replace(
      /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    );
}

/** What the page says about a line Keysmith would not write so (sshd reads it all the same). */
function flagMessage(code: KeyQuirk): string {
  switch (code) {
    case 'rsa-small':
      return 'RSA under 2048 bits: replace it with a new key (ssh-keygen -t ed25519).';
    case 'rsa-exponent':
      return 'The RSA exponent is not valid (it must be odd, at least 3 and below the modulus): sshd reads the key, but it is not safe. Delete it.';
    case 'type-alias':
      return 'The line names the key type by another name sshd reads as the same type (such as rsa-sha2-256 for ssh-rsa).';
    case 'key-encoding':
      return 'The key data is not written as ssh-keygen writes it (spaces or control characters in the base64, needless zero bytes or another type name inside); sshd reads it as this key.';
    case 'nul':
      return 'The line holds a NUL character: sshd reads only what comes before it.';
    case 'option-spelling':
      return 'Options Keysmith does not write (another letter case, spacing or spelling of a value); sshd reads them as shown.';
    case 'cert-authority':
      return 'A certificate authority (cert-authority): it lets in every certificate it signed for you, not this key itself.';
    case 'principals':
      return 'principals= without cert-authority: sshd never lets this key in from this line. Delete it or fix the line.';
    default:
      return code satisfies never;
  }
}

/** One key line as the API lists it, `expired` as of `now`. */
export function toSshKey(keyLine: KeyLine, now: Date): SshKey {
  const { entry, metadata } = keyLine;
  const comment = displayComment(entry.key.comment);
  const expiry = earliestExpiry(entry.options)?.date ?? null;
  const flags: KeyFlag[] = entry.quirks.map((code) => ({ code, message: flagMessage(code) }));
  return {
    fingerprint: keyLine.fingerprint,
    type: entry.key.type,
    bits: entry.key.bits,
    comment,
    publicKey: formatPublicKey({ ...entry.key, comment }).trimEnd(),
    options: decodeOptions(entry.options),
    access: deriveAccess(entry.options),
    expiresAt: expiry === null ? null : expiry.toISOString(),
    // sshd refuses a key once its expiry time is earlier than now (auth-options.c).
    expired: expiry !== null && expiry.getTime() < now.getTime(),
    name: metadata?.name ?? null,
    addedAt: metadata?.addedAt ?? null,
    managed: metadata !== null,
    line: keyLine.index + 1,
    flags,
    lastUsedAt: null,
    lastUsedFrom: null,
  };
}

/** Every key line of a read file, in file order, with options decoded. */
export function listModelKeys(model: AuthorizedKeysModel, now: Date): SshKey[] {
  return model.keyLines.map((keyLine) => toSshKey(keyLine, now));
}

/** Every key line of the file, in file order, with options decoded. */
export function listKeys(text: string, now: Date): SshKey[] {
  return listModelKeys(readModel(text), now);
}

/**
 * Lines that look like a key (a key type name and base64, maybe after options) but that sshd
 * ignores, each with why: the list never hides a line someone meant as a key.
 */
export function listIgnoredLines(model: AuthorizedKeysModel): IgnoredLine[] {
  const ignored: IgnoredLine[] = [];
  let k = 0;
  model.lines.forEach((line, index) => {
    if (model.keyLines[k]?.index === index) {
      k += 1;
      return;
    }
    if (isIgnoredBySshd(line)) return;
    const { refusal } = readLine(line);
    if (refusal != null) ignored.push({ line: index + 1, message: refusal });
  });
  return ignored;
}

/**
 * The clock times (ms) over which keys listed at `at` keep their `expired` flags: each flips
 * only at its expiry, so the listing holds for every t with validAfter < t <= validUntil.
 */
export function listingValidity(
  keys: readonly SshKey[],
  at: number,
): { validAfter: number; validUntil: number } {
  let validAfter = -Infinity;
  let validUntil = Infinity;
  for (const key of keys) {
    if (key.expiresAt === null) continue;
    const expiry = Date.parse(key.expiresAt);
    if (expiry < at) validAfter = Math.max(validAfter, expiry);
    else validUntil = Math.min(validUntil, expiry);
  }
  return { validAfter, validUntil };
}
