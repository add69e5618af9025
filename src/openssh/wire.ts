/**
 * Byte helpers for the SSH wire format (RFC 4251 §5) and strict base64 (RFC 4648 §4).
 * Internal to src/crypto: the public modules wrap their errors in KeyFormatError.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Standard base64 with `=` padding, no line breaks. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      B64.charAt(n >>> 18) +
      B64.charAt((n >>> 12) & 63) +
      B64.charAt((n >>> 6) & 63) +
      B64.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += `${B64.charAt(n >>> 18)}${B64.charAt((n >>> 12) & 63)}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += `${B64.charAt(n >>> 18)}${B64.charAt((n >>> 12) & 63)}${B64.charAt((n >>> 6) & 63)}=`;
  }
  return out;
}

/**
 * Decodes base64 and returns null unless the text is the canonical encoding of its bytes
 * (padded, no whitespace, unused trailing bits zero): OpenSSH's b64_pton refuses non-zero
 * trailing bits too, and a canonical form means one key has exactly one spelling.
 */
export function base64DecodeCanonical(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const last = i + 4 === text.length;
      if (c === 61 /* = */ && last && j >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = c < 128 ? (B64_INDEX[c] ?? -1) : -1;
      if (v < 0) return null;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return base64Encode(out) === text ? out : null;
}

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** UTF-8 decode that returns null on malformed input instead of inserting U+FFFD. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** True when the string has lone UTF-16 surrogates (it cannot be written as UTF-8). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Thrown by SshReader when the data ends early; callers turn it into a KeyFormatError. */
export class TruncatedError extends Error {
  constructor(what: string) {
    super(`ends before its ${what}`);
    this.name = 'TruncatedError';
  }
}

/** Reads RFC 4251 §5 `uint32` and `string` fields from a byte array. */
export class SshReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint32(what: string): number {
    if (this.remaining < 4) throw new TruncatedError(what);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  raw(length: number, what: string): Uint8Array {
    if (this.remaining < length) throw new TruncatedError(what);
    const v = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }

  string(what: string): Uint8Array {
    return this.raw(this.uint32(what), what);
  }

  /** A `string` holding text; null when the bytes are not valid UTF-8. */
  text(what: string): string | null {
    return utf8DecodeStrict(this.string(what));
  }

  rest(): Uint8Array {
    return this.raw(this.remaining, 'rest');
  }
}

/** Builds RFC 4251 §5 fields. */
export class SshWriter {
  private readonly parts: Uint8Array[] = [];

  uint32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value);
    this.parts.push(b);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  string(value: Uint8Array | string): this {
    const bytes = typeof value === 'string' ? utf8Encode(value) : value;
    return this.uint32(bytes.length).raw(bytes);
  }

  bytes(): Uint8Array {
    return concatBytes(...this.parts);
  }
}
