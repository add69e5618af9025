import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyFormatError } from './errors.ts';
import type { PublicKeyType } from './key-types.ts';
import { bitLength, ed25519PublicBlob, parsePublicKeyBlob } from './public-key-blob.ts';
import { parsePublicKey } from './public-key-line.ts';
import { readSshdKey } from './sshd-key-reader.ts';
import { SshWriter, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keysmith-key-material-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function refusal(run: () => unknown): KeyFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return error as KeyFormatError;
  }
  throw new Error('expected a KeyFormatError');
}

/** What the real ssh-keygen -l makes of one public key line: true when it reads a key. */
function sshKeygenReads(line: string): boolean {
  const path = join(work, `key-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(path, `${line}\n`);
  const result = spawnSync('ssh-keygen', ['-l', '-f', path], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0;
}

function bytesOf(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** RFC 4251 §5 mpint of a positive value. */
function mpint(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (/^[89a-f]/.test(hex)) hex = `00${hex}`;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const CURVES = {
  'ecdsa-sha2-nistp256': {
    name: 'nistp256',
    bytes: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  'ecdsa-sha2-nistp521': {
    name: 'nistp521',
    bytes: 66,
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
} as const;
type CurveType = keyof typeof CURVES;

function onCurve(type: CurveType, x: bigint, y: bigint): boolean {
  const { p, b } = CURVES[type];
  return (((y * y - (x * x * x - 3n * x + b)) % p) + p) % p === 0n;
}

/** The first x from `start` up that has a point on the curve, and its y (p ≡ 3 mod 4). */
function pointFrom(type: CurveType, start: bigint): { x: bigint; y: bigint } {
  const { p, b } = CURVES[type];
  for (let x = start; ; x++) {
    const rhs = (((x * x * x - 3n * x + b) % p) + p) % p;
    const y = modPow(rhs, (p + 1n) / 4n, p);
    if ((y * y) % p === rhs) return { x, y };
  }
}

function ecdsaLine(type: CurveType, x: bigint, y: bigint): string {
  const { name, bytes } = CURVES[type];
  const point = new Uint8Array([4, ...bytesOf(x, bytes), ...bytesOf(y, bytes)]);
  const blob = new SshWriter().string(type).string(name).string(point).bytes();
  return `${type} ${base64Encode(blob)} point`;
}

function expectRefusedLikeSshd(line: string, type: PublicKeyType): void {
  expect(sshKeygenReads(line)).toBe(false);
  expect(refusal(() => parsePublicKey(line)).message).toMatch(
    new RegExp(
      `The ${type} public point is not on the nistp\\d+ curve, or is a point sshd refuses`,
    ),
  );
  expect(() => readSshdKey(line)).toThrow(KeyFormatError);
}

describe('ECDSA public points: what sshkey_ec_validate_public accepts, and nothing else', () => {
  const p256 = 'ecdsa-sha2-nistp256' as const;
  const p521 = 'ecdsa-sha2-nistp521' as const;

  it('accepts the ssh-keygen fixtures and an ordinary point found here', () => {
    for (const name of ['ecdsa-256.pub', 'ecdsa-384.pub', 'ecdsa-521.pub']) {
      const line = readFileSync(fixtures + name, 'utf8').trim();
      expect(parsePublicKey(line).comment).not.toBe(undefined);
    }
    const { x, y } = pointFrom(p256, 1n << 200n);
    expect(onCurve(p256, x, y)).toBe(true);
    const line = ecdsaLine(p256, x, y);
    expect(sshKeygenReads(line)).toBe(true);
    expect(parsePublicKey(line).bits).toBe(256);
  });

  it('refuses a point off the curve', () => {
    const { x, y } = pointFrom(p256, 1n << 200n);
    expectRefusedLikeSshd(ecdsaLine(p256, x, y + 1n), p256);
  });

  it('refuses an x coordinate written as x + p (≥ p), though it names a point on the curve', () => {
    const { p } = CURVES[p256];
    // x below 2^223 so that x + p still fits in 32 bytes; its bits are checked separately below.
    const { x, y } = pointFrom(p256, 1n << 150n);
    expect(x + p < 1n << 256n).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p256, x + p, y), p256);
  });

  it('refuses a y coordinate written as y + p (nistp521, whose 66 bytes leave room)', () => {
    const { p } = CURVES[p521];
    const { x, y } = pointFrom(p521, 1n << 400n);
    expect(sshKeygenReads(ecdsaLine(p521, x, y))).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p521, x, y + p), p521);
  });

  it('refuses coordinates from n − 1 up to p (on the curve, below p)', () => {
    const { n, p } = CURVES[p256];
    const high = pointFrom(p256, n - 1n);
    expect(high.x < p).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p256, high.x, high.y), p256);
    // The same point with y and p − y: one of the two y values of a high x is odd-sized; pick
    // a y at or above n − 1 through the point (x, p − y) of a point whose y is tiny.
    const tiny = { x: 0xcfe9c22cc6825c8aa62f56d3ddcaac9653eb03e08b283fbbc9fe1bd77607ce12n, y: 4n };
    expect(onCurve(p256, tiny.x, p - tiny.y)).toBe(true);
    expect(p - tiny.y >= n - 1n).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p256, tiny.x, p - tiny.y), p256);
  });

  it('refuses coordinates of half the order’s bits or fewer', () => {
    const small = pointFrom(p256, 3n);
    expect(small.x < 1n << 128n).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p256, small.x, small.y), p256);
    // (x, 4) is on nistp256 (a root of x³ − 3x + b − 16, found with a polynomial factoring).
    const tiny = { x: 0xcfe9c22cc6825c8aa62f56d3ddcaac9653eb03e08b283fbbc9fe1bd77607ce12n, y: 4n };
    expect(onCurve(p256, tiny.x, tiny.y)).toBe(true);
    expectRefusedLikeSshd(ecdsaLine(p256, tiny.x, tiny.y), p256);
    // Just over half the bits is fine.
    const justOver = pointFrom(p256, 1n << 128n);
    expect(justOver.x >> 128n).toBe(1n);
    const line = ecdsaLine(p256, justOver.x, justOver.y);
    expect(sshKeygenReads(line)).toBe(true);
    expect(parsePublicKey(line).type).toBe(p256);
  });
});

describe('RSA exponents and moduli', () => {
  const fixture = parsePublicKey(readFileSync(`${fixtures}rsa-2048.pub`, 'utf8'));
  const n = BigInt(
    `0x${Buffer.from(fixture.blob.subarray(fixture.blob.length - 257)).toString('hex')}`,
  );
  const rsaBlob = (e: bigint, modulus = n) =>
    new SshWriter().string('ssh-rsa').string(mpint(e)).string(mpint(modulus)).bytes();
  const exponentMessage =
    'The RSA public exponent is not valid (it must be odd, at least 3 and below the modulus).';

  it('reads the fixture’s modulus (a check on this test itself)', () => {
    expect(rsaBlob(65537n)).toEqual(fixture.blob);
  });

  it('refuses e = 1, which OpenSSH 9.2 accepts: its signatures are the padded hash itself', () => {
    // A real e = 1 key signs and verifies in ssh-keygen (sshkey_verify, as sshd calls it), so
    // anyone who has the public key can make a "signature" for it.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    const big = (text: string | undefined) =>
      BigInt(`0x${Buffer.from(text ?? '', 'base64url').toString('hex')}`);
    const b64 = (value: bigint) => Buffer.from(mpint(value)).toString('base64url');
    const p = big(jwk.p);
    const q = big(jwk.q);
    const path = join(work, 'e1');
    const e1 = createPrivateKey({
      key: { ...jwk, e: b64(1n), d: b64(1n), dp: b64(1n), dq: b64(1n) },
      format: 'jwk',
    });
    expect(p * q).toBe(big(jwk.n));
    writeFileSync(path, e1.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
    writeFileSync(`${path}.data`, 'data\n');
    const shown = spawnSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' });
    const line = shown.stdout.trim();
    expect(line).toMatch(/^ssh-rsa AAAAB3NzaC1yc2EAAAABAQ/);
    writeFileSync(`${path}.pub`, `${line}\n`);
    expect(
      spawnSync('ssh-keygen', ['-Y', 'sign', '-f', path, '-n', 'file', `${path}.data`]).status,
    ).toBe(0);
    writeFileSync(`${path}.signers`, `me ${line}\n`);
    const verified = spawnSync(
      'ssh-keygen',
      ['-Y', 'verify', '-f', `${path}.signers`, '-I', 'me', '-n', 'file', '-s', `${path}.data.sig`],
      { input: 'data\n', encoding: 'utf8' },
    );
    expect(verified.status).toBe(0);

    expect(refusal(() => parsePublicKey(line)).message).toBe(exponentMessage);
    expect(readSshdKey(line).quirks).toContain('rsa-exponent');
  });

  it('refuses an even exponent and one at or above the modulus; accepts 3 and n − 2', () => {
    for (const e of [1n, 2n, 65536n, n, n + 2n]) {
      expect(refusal(() => parsePublicKeyBlob(rsaBlob(e))).message).toBe(exponentMessage);
    }
    for (const e of [3n, 65537n, n - 2n]) {
      expect(parsePublicKeyBlob(rsaBlob(e))).toEqual({ type: 'ssh-rsa', bits: 2048 });
    }
  });

  it('refuses a zero, negative or needlessly padded number, naming it', () => {
    const raw = (e: Uint8Array, modulus: Uint8Array) =>
      new SshWriter().string('ssh-rsa').string(e).string(modulus).bytes();
    const modulus = mpint(n);
    expect(refusal(() => parsePublicKeyBlob(raw(new Uint8Array(0), modulus))).message).toBe(
      'The RSA exponent is zero: the key data is damaged.',
    );
    expect(refusal(() => parsePublicKeyBlob(raw(new Uint8Array([0x81]), modulus))).message).toBe(
      'The RSA exponent is negative: the key data is damaged.',
    );
    expect(
      refusal(() => parsePublicKeyBlob(raw(new Uint8Array([0, 1, 0, 1]), modulus))).message,
    ).toMatch(/^The RSA exponent has a needless leading zero byte \(RFC 4251 §5\)/);
    expect(refusal(() => parsePublicKeyBlob(raw(new Uint8Array([0]), modulus))).message).toMatch(
      /^The RSA exponent has a needless leading zero byte/,
    );
    expect(
      refusal(() => parsePublicKeyBlob(raw(mpint(65537n), new Uint8Array([0, ...modulus]))))
        .message,
    ).toMatch(/^The RSA modulus has a needless leading zero byte/);
  });

  it('takes moduli from 2048 to 16384 bits (1024 where asked), counting bits as BN_num_bits', () => {
    const bits = (modulus: bigint, minRsaBits?: number) =>
      parsePublicKeyBlob(rsaBlob(3n, modulus), undefined, { minRsaBits }).bits;
    expect(bits((1n << 2047n) + 1n)).toBe(2048);
    expect(refusal(() => bits((1n << 2046n) + 1n)).message).toBe(
      'This RSA key has 2047 bits; at least 2048 are required. Make a new key with: ssh-keygen -t ed25519',
    );
    expect(bits((1n << 1023n) + 1n, 1024)).toBe(1024);
    expect(refusal(() => bits((1n << 1022n) + 1n, 1024)).message).toMatch(/has 1023 bits/);
    expect(bits((1n << 16383n) + 1n)).toBe(16384);
    expect(refusal(() => bits((1n << 16384n) + 1n)).message).toBe(
      'This RSA key has 16385 bits; OpenSSH accepts at most 16384.',
    );
  });
});

describe('ECDSA coordinates at the bound n − 1', () => {
  it('accepts x = n − 2 on nistp256 and refuses x = n − 1 on nistp384 (both on their curves)', () => {
    const p256 = CURVES['ecdsa-sha2-nistp256'];
    const below = pointFrom('ecdsa-sha2-nistp256', p256.n - 2n);
    expect(below.x).toBe(p256.n - 2n);
    const accepted = ecdsaLine('ecdsa-sha2-nistp256', below.x, below.y);
    expect(sshKeygenReads(accepted)).toBe(true);
    expect(parsePublicKey(accepted).bits).toBe(256);

    const n384 =
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
    const p384 =
      0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn;
    const b384 =
      0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn;
    const x = n384 - 1n;
    const rhs = (((x * x * x - 3n * x + b384) % p384) + p384) % p384;
    const y = modPow(rhs, (p384 + 1n) / 4n, p384);
    expect((y * y) % p384).toBe(rhs);
    const point = new Uint8Array([4, ...bytesOf(x, 48), ...bytesOf(y, 48)]);
    const blob = new SshWriter()
      .string('ecdsa-sha2-nistp384')
      .string('nistp384')
      .string(point)
      .bytes();
    const refused = `ecdsa-sha2-nistp384 ${base64Encode(blob)} point`;
    expect(sshKeygenReads(refused)).toBe(false);
    expect(refusal(() => parsePublicKey(refused)).message).toMatch(/is a point sshd refuses/);
    expect(() => readSshdKey(refused)).toThrow(KeyFormatError);
  });
});

describe('parsePublicKeyBlob names what is wrong', () => {
  const ed25519 = parsePublicKey(readFileSync(`${fixtures}ed25519-plain.pub`, 'utf8'));

  it('a blob cut short names the field it ends before, and the expected type', () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([0, 0]), 'key type'],
      [new SshWriter().string('ssh-ed25519').bytes(), 'public key'],
      [new SshWriter().string('ssh-rsa').bytes(), 'exponent'],
      [new SshWriter().string('ecdsa-sha2-nistp256').bytes(), 'curve name'],
      [new SshWriter().string('ecdsa-sha2-nistp256').string('nistp256').bytes(), 'public point'],
    ];
    for (const [blob, field] of cases) {
      expect(refusal(() => parsePublicKeyBlob(blob)).message).toBe(
        `The key data is cut short (it ends before its ${field}): copy the whole line again from the .pub file.`,
      );
    }
    expect(refusal(() => parsePublicKeyBlob(new Uint8Array(1), 'ssh-rsa')).message).toMatch(
      /^The ssh-rsa key data is cut short/,
    );
  });

  it('an unsupported type inside, with and without the type of the line', () => {
    const blob = new SshWriter().string(new Uint8Array([0xff, 0x41])).bytes();
    expect(refusal(() => parsePublicKeyBlob(blob)).message).toBe(
      'The key data holds an unsupported key type ("").',
    );
    const dss = new SshWriter().string('ssh-dss').bytes();
    expect(refusal(() => parsePublicKeyBlob(dss, 'ssh-ed25519')).message).toBe(
      'The line says "ssh-ed25519" but the key data holds "ssh-dss": the line was edited or pieced together from two keys. Copy it again from the .pub file.',
    );
  });

  it('counts the bytes after the key, one or more', () => {
    const extra = (count: number) => new Uint8Array([...ed25519.blob, ...new Uint8Array(count)]);
    expect(refusal(() => parsePublicKeyBlob(extra(1))).message).toBe(
      'The ssh-ed25519 key data has 1 unexpected byte after the key: copy the line again from the .pub file.',
    );
    expect(refusal(() => parsePublicKeyBlob(extra(2))).message).toBe(
      'The ssh-ed25519 key data has 2 unexpected bytes after the key: copy the line again from the .pub file.',
    );
  });

  it('refuses a security key application that is not UTF-8', () => {
    const point = ed25519.blob.subarray(ed25519.blob.length - 32);
    const blob = new SshWriter()
      .string('sk-ssh-ed25519@openssh.com')
      .string(point)
      .string(new Uint8Array([0xc3]))
      .bytes();
    expect(refusal(() => parsePublicKeyBlob(blob)).message).toMatch(
      /application string is empty or not UTF-8/,
    );
  });

  it('refuses a blob that is not a Uint8Array', () => {
    expect(() => parsePublicKeyBlob([0] as unknown as Uint8Array)).toThrow(
      '"blob" must be a Uint8Array',
    );
  });
});

describe('bitLength and ed25519PublicBlob', () => {
  it('counts bits as BN_num_bits, past leading zero bytes', () => {
    expect(bitLength(new Uint8Array(0))).toBe(0);
    expect(bitLength(new Uint8Array([0, 0]))).toBe(0);
    expect(bitLength(new Uint8Array([0, 1]))).toBe(1);
    expect(bitLength(new Uint8Array([0, 0, 0x80, 0]))).toBe(16);
  });

  it('writes the RFC 8709 blob of a 32-byte key and refuses anything else', () => {
    const ed25519 = parsePublicKey(readFileSync(`${fixtures}ed25519-plain.pub`, 'utf8'));
    expect(ed25519PublicBlob(ed25519.blob.subarray(ed25519.blob.length - 32))).toEqual(
      ed25519.blob,
    );
    expect(() => ed25519PublicBlob(new Uint8Array(31))).toThrow(
      '"publicKey" must be 32 bytes, got 31',
    );
    expect(() => ed25519PublicBlob([] as unknown as Uint8Array)).toThrow(
      '"publicKey" must be a Uint8Array',
    );
  });
});
