/**
 * The "drunken bishop" randomart that `ssh-keygen -lv` prints under a fingerprint (OpenSSH
 * sshkey.c fingerprint_randomart; Loss, Limmer, von Gernler, "The drunken bishop", 2009).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { keyTypeLabel, type PublicKeyType } from './key-types.ts';

const FIELD_X = 17;
const FIELD_Y = 9;
/** Visit counts map to these symbols; the last two mark the start and the end. */
const SYMBOLS = ' .o+=*BOX@%&#/^SE';

/** Centres `[label]` in a 17-dash border line, the extra dash on the right, as OpenSSH does. */
function border(label: string): string {
  const left = Math.floor((FIELD_X - label.length) / 2);
  return `+${'-'.repeat(left)}${label}${'-'.repeat(FIELD_X - left - label.length)}+`;
}

/**
 * The randomart of a key's SHA256 fingerprint: exactly the lines `ssh-keygen -lv` prints after
 * the fingerprint line, joined with `\n`, without a final newline.
 */
export function randomart(blob: Uint8Array, type: PublicKeyType, bits: number): string {
  if (!(blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  if (!Number.isInteger(bits) || bits < 0)
    throw new RangeError('"bits" must be a non-negative integer');
  const digest = sha256(blob);
  const field = new Uint8Array(FIELD_X * FIELD_Y);
  const maxCount = SYMBOLS.length - 1;
  let x = FIELD_X >> 1;
  let y = FIELD_Y >> 1;
  for (const byte of digest) {
    let input = byte;
    // Each byte is four 2-bit moves, low bits first: bit 0 moves x, bit 1 moves y.
    for (let step = 0; step < 4; step++) {
      x = Math.min(Math.max(x + (input & 1 ? 1 : -1), 0), FIELD_X - 1);
      y = Math.min(Math.max(y + (input & 2 ? 1 : -1), 0), FIELD_Y - 1);
      const cell = x + y * FIELD_X;
      if ((field[cell] ?? 0) < maxCount - 2) field[cell] = (field[cell] ?? 0) + 1;
      input >>= 2;
    }
  }
  field[(FIELD_X >> 1) + (FIELD_Y >> 1) * FIELD_X] = maxCount - 1;
  field[x + y * FIELD_X] = maxCount;

  // OpenSSH snprintf's "[TYPE BITS]" into a 17-byte buffer and falls back to "[TYPE]" only when
  // the text is longer than 17; a 17-character title is cut to 16 by snprintf.
  let title = `[${keyTypeLabel(type)} ${bits}]`;
  if (title.length > FIELD_X) title = `[${keyTypeLabel(type)}]`;
  title = title.slice(0, FIELD_X - 1);

  const lines = [border(title)];
  for (let row = 0; row < FIELD_Y; row++) {
    let line = '|';
    for (let col = 0; col < FIELD_X; col++) {
      line += SYMBOLS.charAt(Math.min(field[col + row * FIELD_X] ?? 0, maxCount));
    }
    lines.push(`${line}|`);
  }
  lines.push(border('[SHA256]'));
  return lines.join('\n');
}
