/**
 * The public key blob inside a key line, checked strictly (RFC 4253 §6.6, RFC 5656 §3.1,
 * RFC 8709 §4, PROTOCOL.u2f), and the numbers and curve points that both the strict reader and
 * sshd's reader check the same way.
 */
import { invalidKey as invalid, printable } from './errors.ts';
import { isPublicKeyType, type PublicKeyType } from './key-types.ts';
import { SshReader, SshWriter, TruncatedError, utf8DecodeStrict } from './wire.ts';

/** The smallest RSA modulus accepted; NIST SP 800-131A and OpenSSH's ssh-keygen default floor. */
export const RSA_MIN_BITS = 2048;
/** OpenSSH's SSHBUF_MAX_BIGNUM / OPENSSL_RSA_MAX_MODULUS_BITS. */
export const RSA_MAX_BITS = 16384;

/**
 * SEC 2 §2.4 / FIPS 186-4 D.1.2: field prime p, coefficient b of y² = x³ − 3x + b, order n of
 * the base point (every point of these curves has order n).
 */
export const CURVES = {
  nistp256: {
    bytes: 32,
    bits: 256,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  nistp384: {
    bytes: 48,
    bits: 384,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  nistp521: {
    bytes: 66,
    bits: 521,
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
} as const;
export type CurveName = keyof typeof CURVES;

/** The curve of an ECDSA key type (RFC 5656 §6.1). */
export function curveNameOf(
  type:
    | 'ecdsa-sha2-nistp256'
    | 'ecdsa-sha2-nistp384'
    | 'ecdsa-sha2-nistp521'
    | 'sk-ecdsa-sha2-nistp256@openssh.com',
): CurveName {
  return type === 'ecdsa-sha2-nistp384'
    ? 'nistp384'
    : type === 'ecdsa-sha2-nistp521'
      ? 'nistp521'
      : 'nistp256';
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A big-endian unsigned integer; one BigInt parse of its hex is far cheaper than a shift per byte. */
function bigintFromBytes(bytes: Uint8Array): bigint {
  let hex = '0x0';
  for (const b of bytes) hex += HEX[b] ?? '00';
  return BigInt(hex);
}

/** Bit length of a big-endian unsigned integer (OpenSSL BN_num_bits). */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const first = bytes[i];
  if (first === undefined) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/** An RSA public exponent OpenSSL accepts: odd, at least 3 and below the modulus. */
export function isValidRsaExponent(e: Uint8Array, n: Uint8Array): boolean {
  const eValue = bigintFromBytes(e);
  return eValue >= 3n && eValue % 2n === 1n && eValue < bigintFromBytes(n);
}

/**
 * Reads an RFC 4251 §5 mpint that must be positive and minimally encoded ("unnecessary
 * leading bytes with the value 0 or 255 MUST NOT be included").
 */
function readPositiveMpint(reader: SshReader, what: string): Uint8Array {
  const bytes = reader.string(what);
  const first = bytes[0];
  const second = bytes[1];
  if (first === undefined) throw invalid(`The RSA ${what} is zero: the key data is damaged.`);
  if (first & 0x80) throw invalid(`The RSA ${what} is negative: the key data is damaged.`);
  if (first === 0 && ((second ?? 0) & 0x80) === 0) {
    throw invalid(
      `The RSA ${what} has a needless leading zero byte (RFC 4251 §5): the key data was not written by OpenSSH. Copy the key again from the .pub file.`,
    );
  }
  return bytes;
}

/**
 * Reads an ECDSA public point and refuses it unless sshd would accept it.
 * @throws KeyFormatError when the point is malformed, not on the curve, or out of sshd's bounds.
 */
export function readCurvePoint(reader: SshReader, curveName: CurveName, label: string): void {
  const curve = CURVES[curveName];
  const point = reader.string('public point');
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 0x04) {
    throw invalid(
      `The ${label} public point must be ${1 + 2 * curve.bytes} bytes starting with 0x04 (an uncompressed ${curveName} point, RFC 5656 §3.1), but it is ${point.length} bytes. Copy the key again from the .pub file.`,
    );
  }
  const x = bigintFromBytes(point.subarray(1, 1 + curve.bytes));
  const y = bigintFromBytes(point.subarray(1 + curve.bytes));
  const { p, b, n } = curve;
  // sshkey.c sshkey_ec_validate_public: on the curve (EC_POINT_oct2point), both coordinates
  // longer than half the order's bits and below n − 1 (so below p too: n < p on these curves).
  const half = BigInt(curve.bits >> 1);
  const valid =
    x >> half !== 0n &&
    y >> half !== 0n &&
    x < n - 1n &&
    y < n - 1n &&
    (y * y - (x * x * x - 3n * x + b)) % p === 0n;
  if (!valid) {
    throw invalid(
      `The ${label} public point is not on the ${curveName} curve, or is a point sshd refuses there: the key data is damaged. Copy the key again from the .pub file.`,
    );
  }
}

function readApplication(reader: SshReader): void {
  // PROTOCOL.u2f: security keys carry the FIDO application string, "ssh:" by default.
  const application = reader.text('application');
  if (application === null || application.length === 0) {
    throw invalid(
      'The security key\'s application string is empty or not UTF-8 (PROTOCOL.u2f expects e.g. "ssh:"). Copy the key again from the .pub file.',
    );
  }
}

/**
 * Checks a decoded public key blob and returns its type and size. `expectedType` is the type
 * written before the base64: OpenSSH refuses a line whose blob holds another type.
 * `minRsaBits` (default 2048) lets `keysmith fingerprint` show old keys as ssh-keygen does (1024).
 * @throws KeyFormatError naming what is wrong with the blob.
 */
export function parsePublicKeyBlob(
  blob: Uint8Array,
  expectedType?: PublicKeyType,
  options: { minRsaBits?: number } = {},
): { type: PublicKeyType; bits: number } {
  const minRsaBits = options.minRsaBits ?? RSA_MIN_BITS;
  if (!(blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  const reader = new SshReader(blob);
  try {
    const innerBytes = reader.string('key type');
    const inner = utf8DecodeStrict(innerBytes) ?? '';
    if (!isPublicKeyType(inner)) {
      throw invalid(
        expectedType === undefined
          ? `The key data holds an unsupported key type ("${printable(inner)}").`
          : `The line says "${expectedType}" but the key data holds "${printable(inner)}": the line was edited or pieced together from two keys. Copy it again from the .pub file.`,
      );
    }
    if (expectedType !== undefined && inner !== expectedType) {
      throw invalid(
        `The line says "${expectedType}" but the key data holds a "${inner}" key: the line was edited or pieced together from two keys. Copy it again from the .pub file.`,
      );
    }
    const type = inner;
    let bits: number;
    switch (type) {
      case 'ssh-ed25519':
      case 'sk-ssh-ed25519@openssh.com': {
        // RFC 8709 §4: string "ssh-ed25519", string key (32 bytes).
        const key = reader.string('public key');
        if (key.length !== 32) {
          throw invalid(
            `The ${type} public key must be 32 bytes but it is ${key.length}. Copy the key again from the .pub file.`,
          );
        }
        if (type === 'sk-ssh-ed25519@openssh.com') readApplication(reader);
        bits = 256;
        break;
      }
      case 'ssh-rsa': {
        // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.
        const e = readPositiveMpint(reader, 'exponent');
        const n = readPositiveMpint(reader, 'modulus');
        bits = bitLength(n);
        if (bits < minRsaBits) {
          throw invalid(
            `This RSA key has ${bits} bits; at least ${minRsaBits} are required. Make a new key with: ssh-keygen -t ed25519`,
          );
        }
        if (bits > RSA_MAX_BITS) {
          throw invalid(`This RSA key has ${bits} bits; OpenSSH accepts at most ${RSA_MAX_BITS}.`);
        }
        if (!isValidRsaExponent(e, n)) {
          throw invalid(
            'The RSA public exponent is not valid (it must be odd, at least 3 and below the modulus).',
          );
        }
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        // RFC 5656 §3.1: string type, string curve identifier, string Q.
        const expectedCurve = curveNameOf(type);
        const curve = utf8DecodeStrict(reader.string('curve name')) ?? '';
        if (curve !== expectedCurve) {
          throw invalid(
            `The key type "${type}" needs curve "${expectedCurve}" but the key data names "${printable(curve)}": the line was edited. Copy it again from the .pub file.`,
          );
        }
        readCurvePoint(reader, expectedCurve, type);
        if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') readApplication(reader);
        bits = CURVES[expectedCurve].bits;
        break;
      }
      default:
        throw new TypeError(`unknown key type ${String(type satisfies never)}`);
    }
    if (reader.remaining !== 0) {
      throw invalid(
        `The ${type} key data has ${reader.remaining} unexpected byte${reader.remaining === 1 ? '' : 's'} after the key: copy the line again from the .pub file.`,
      );
    }
    return { type, bits };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(
        `The ${expectedType === undefined ? '' : `${expectedType} `}key data is cut short (it ${error.message}): copy the whole line again from the .pub file.`,
      );
    }
    throw error;
  }
}

/** The public key blob `string "ssh-ed25519", string pk` (RFC 8709 §4), 51 bytes. */
export function ed25519PublicBlob(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw new TypeError('"publicKey" must be a Uint8Array');
  if (publicKey.length !== 32) {
    throw new RangeError(`"publicKey" must be 32 bytes, got ${publicKey.length}`);
  }
  return new SshWriter().string('ssh-ed25519').string(publicKey).bytes();
}
