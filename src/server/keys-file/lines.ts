/**
 * An authorized_keys file as lines, each with its ending exactly as found, so that every line
 * Keysmith did not write is kept byte for byte (CRLF endings, a missing final newline).
 */

/** One line of the file: its text without the line ending, and the ending exactly as found. */
export interface FileLine {
  readonly text: string;
  /** `''` only for a last line that has no final newline. */
  readonly eol: '\n' | '\r\n' | '';
}

/**
 * Splits file text into lines, each with its own ending, so that `joinLines(splitLines(t)) === t`
 * for every string `t`.
 */
export function splitLines(text: string): FileLine[] {
  const lines: FileLine[] = [];
  let start = 0;
  while (start < text.length) {
    const lf = text.indexOf('\n', start);
    if (lf === -1) {
      lines.push({ text: text.slice(start), eol: '' });
      break;
    }
    if (text[lf - 1] === '\r') {
      lines.push({ text: text.slice(start, lf - 1), eol: '\r\n' });
    } else {
      lines.push({ text: text.slice(start, lf), eol: '\n' });
    }
    start = lf + 1;
  }
  return lines;
}

/** The inverse of {@link splitLines}. */
export function joinLines(lines: readonly FileLine[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}
