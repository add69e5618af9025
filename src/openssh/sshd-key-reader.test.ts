import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyFormatError } from './errors.ts';
import { fingerprintSha256 } from './fingerprint.ts';
import { parsePublicKey } from './public-key-line.ts';
import { base64DecodeSshd, readSshdKey } from './sshd-key-reader.ts';
import { SshReader, SshWriter, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name, 'utf8').trim();
const work = mkdtempSync(join(tmpdir(), 'keysmith-sshd-reader-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** What the real ssh-keygen -l (sshkey_read, as sshd reads a line) prints: bits and fingerprint, or null. */
function sshKeygenList(line: string): { bits: number; fingerprint: string } | null {
  const path = join(work, `key-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(path, `${line}\n`);
  const result = spawnSync('ssh-keygen', ['-l', '-f', path], { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) return null;
  const [bits, fingerprint] = result.stdout.split(' ');
  return { bits: Number(bits), fingerprint: fingerprint ?? '' };
}

/** Asserts ssh-keygen reads `line` as readSshdKey does: same size and same canonical key. */
function expectReadLikeSshKeygen(line: string): ReturnType<typeof readSshdKey> {
  const key = readSshdKey(line);
  expect(sshKeygenList(line)).toEqual({ bits: key.bits, fingerprint: fingerprintSha256(key.blob) });
  return key;
}

function refusal(run: () => unknown): KeyFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return error as KeyFormatError;
  }
  throw new Error('expected a KeyFormatError');
}

function fields(line: string): Uint8Array[] {
  const reader = new SshReader(parsePublicKey(line).blob);
  const out: Uint8Array[] = [];
  while (reader.remaining > 0) out.push(reader.string('field'));
  return out;
}

function blobOf(...parts: (Uint8Array | string)[]): Uint8Array {
  const writer = new SshWriter();
  for (const part of parts) writer.string(part);
  return writer.bytes();
}

const ed25519Line = read('ed25519-plain.pub');
const ed25519 = parsePublicKey(ed25519Line);
const [, ed25519Point = new Uint8Array()] = fields(ed25519Line);
const rsaLine = read('rsa-2048.pub');
const [, rsaE = new Uint8Array(), rsaN = new Uint8Array()] = fields(rsaLine);
const ecdsaLine = read('ecdsa-256.pub');
const [, , ecdsaPoint = new Uint8Array()] = fields(ecdsaLine);
const skLine = read('sk-ed25519.pub');
const [, skPoint = new Uint8Array(), skApplication = new Uint8Array()] = fields(skLine);

describe('readSshdKey: lines ssh-keygen writes', () => {
  it.each([
    'ed25519-plain.pub',
    'rsa-2048.pub',
    'ecdsa-256.pub',
    'ecdsa-384.pub',
    'ecdsa-521.pub',
    'sk-ed25519.pub',
    'sk-ecdsa.pub',
  ])('%s: the same key, size and comment as the strict reader, no quirks', (name) => {
    const line = read(name);
    const strict = parsePublicKey(line);
    expect(readSshdKey(line)).toEqual({ ...strict, quirks: [] });
    expectReadLikeSshKeygen(line);
  });

  it('takes the comment as the rest of the line, trimmed of spaces and tabs at both ends', () => {
    const [type, base64] = ed25519Line.split(' ');
    expect(readSshdKey(`${type}\t \t${base64} \t a  b \t `).comment).toBe('a  b');
    expect(readSshdKey(`${type} ${base64}`).comment).toBe('');
  });
});

describe('readSshdKey: what sshd reads although ssh-keygen would not write it', () => {
  const [, base64 = ''] = ed25519Line.split(' ');

  it('reads rsa-sha2-256 and rsa-sha2-512 before the base64 as ssh-rsa (type-alias)', () => {
    const [, rsaBase64] = rsaLine.split(' ');
    for (const alias of ['rsa-sha2-256', 'rsa-sha2-512']) {
      const key = expectReadLikeSshKeygen(`${alias} ${rsaBase64} c`);
      expect(key.type).toBe('ssh-rsa');
      expect(key.quirks).toEqual(['type-alias']);
    }
  });

  it('skips CR, LF, VT and FF inside the base64 and leaves the key the same (key-encoding)', () => {
    for (const space of ['\r', '\n', '\v', '\f', '\r\n']) {
      const line = `ssh-ed25519 ${base64.slice(0, 8)}${space}${base64.slice(8)} c`;
      const key = readSshdKey(line);
      expect(key.blob).toEqual(ed25519.blob);
      expect(key.quirks).toEqual(['key-encoding']);
    }
    const key = expectReadLikeSshKeygen(`ssh-ed25519 ${base64.slice(0, 8)}\v${base64.slice(8)} c`);
    expect(key.blob).toEqual(ed25519.blob);
  });

  it('reads a short or upper-case type name inside the blob and keeps the canonical one', () => {
    for (const inner of ['ED25519', 'ed25519', 'Ed25519']) {
      const line = `ssh-ed25519 ${base64Encode(blobOf(inner, ed25519Point))} c`;
      const key = expectReadLikeSshKeygen(line);
      expect(key.blob).toEqual(ed25519.blob);
      expect(key.quirks).toEqual(['key-encoding']);
    }
    const rsa = expectReadLikeSshKeygen(`ssh-rsa ${base64Encode(blobOf('rsa', rsaE, rsaN))} c`);
    expect(rsa.blob).toEqual(parsePublicKey(rsaLine).blob);
    const alias = readSshdKey(`ssh-rsa ${base64Encode(blobOf('rsa-sha2-512', rsaE, rsaN))} c`);
    expect(alias.quirks).toEqual(['key-encoding']);
    const sk = readSshdKey(
      `sk-ssh-ed25519@openssh.com ${base64Encode(blobOf('ed25519-sk', skPoint, skApplication))} c`,
    );
    expect(sk.blob).toEqual(parsePublicKey(skLine).blob);
    expect(sk.type).toBe('sk-ssh-ed25519@openssh.com');
  });

  it('accepts one NUL at the end of the type name, and none before it', () => {
    const withNul = new Uint8Array([...new TextEncoder().encode('ssh-ed25519'), 0]);
    const key = readSshdKey(`ssh-ed25519 ${base64Encode(blobOf(withNul, ed25519Point))}`);
    expect(key.blob).toEqual(ed25519.blob);
    expect(key.quirks).toEqual(['key-encoding']);
    const inside = new Uint8Array([...new TextEncoder().encode('ssh-ed'), 0, 0x32]);
    expect(
      refusal(() => readSshdKey(`ssh-ed25519 ${base64Encode(blobOf(inside, ed25519Point))}`))
        .message,
    ).toBe("The key's key type contains a NUL byte.");
  });

  it('reads RSA numbers with extra leading zero bytes as the same key (key-encoding)', () => {
    const padded = blobOf(new Uint8Array([0, 0, ...rsaE]), new Uint8Array([0, 0, ...rsaN]));
    const line = `ssh-rsa ${base64Encode(new Uint8Array([...blobOf('ssh-rsa'), ...padded]))} c`;
    const key = expectReadLikeSshKeygen(line);
    expect(key.blob).toEqual(parsePublicKey(rsaLine).blob);
    expect(key.quirks).toEqual(['key-encoding']);
    // A modulus without the zero byte its top bit needs is read as negative.
    const unpadded = blobOf('ssh-rsa', rsaE, rsaN.subarray(1));
    expect(refusal(() => readSshdKey(`ssh-rsa ${base64Encode(unpadded)}`)).message).toBe(
      'The RSA modulus is negative: the key data is damaged.',
    );
  });

  it('reads RSA from 1024 bits (rsa-small) and an exponent OpenSSL refuses (rsa-exponent)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n ?? '', 'base64url');
    const modulus = new Uint8Array([0, ...n]);
    const small = readSshdKey(`ssh-rsa ${base64Encode(blobOf('ssh-rsa', rsaE, modulus))}`);
    expect(small.bits).toBe(1024);
    expect(small.quirks).toEqual(['rsa-small']);
    const even = readSshdKey(
      `ssh-rsa ${base64Encode(blobOf('ssh-rsa', new Uint8Array([1, 0, 0]), rsaN))}`,
    );
    expect(even.quirks).toEqual(['rsa-exponent']);
    const both = readSshdKey(
      `rsa-sha2-256 ${base64Encode(blobOf('ssh-rsa', new Uint8Array([0, 2]), modulus))}`,
    );
    expect(both.quirks).toEqual(['rsa-small', 'rsa-exponent', 'key-encoding', 'type-alias']);
    const under = new Uint8Array(128);
    under[0] = 0x7f;
    expect(
      refusal(() => readSshdKey(`ssh-rsa ${base64Encode(blobOf('ssh-rsa', rsaE, under))}`)).message,
    ).toBe('This RSA key has 1023 bits; sshd refuses keys under 1024 bits.');
  });

  it('reads RSA numbers up to 16384 bits after one zero byte, and no longer', () => {
    const longest = new Uint8Array(2049);
    longest[1] = 0x80;
    longest[2048] = 1;
    expect(readSshdKey(`ssh-rsa ${base64Encode(blobOf('ssh-rsa', rsaE, longest))}`).bits).toBe(
      16384,
    );
    const zeros = new Uint8Array(2049);
    zeros[2048] = 0xc5;
    zeros[2047] = 0x01;
    zeros[1000] = 0x40;
    expect(readSshdKey(`ssh-rsa ${base64Encode(blobOf('ssh-rsa', rsaE, zeros))}`).quirks).toEqual([
      'key-encoding',
    ]);
    const tooLong = new Uint8Array(2050);
    tooLong[2] = 0x80;
    tooLong[2049] = 1;
    const nonZero = new Uint8Array(2049);
    nonZero[0] = 1;
    for (const modulus of [tooLong, nonZero]) {
      expect(
        refusal(() => readSshdKey(`ssh-rsa ${base64Encode(blobOf('ssh-rsa', rsaE, modulus))}`))
          .message,
      ).toBe('The RSA modulus is longer than OpenSSH accepts (16384 bits).');
    }
  });
});

describe('readSshdKey refuses what sshd refuses, and says why', () => {
  it('an unknown, refused or certificate type, or no key data', () => {
    expect(refusal(() => readSshdKey('ssh-foo AAAA c')).message).toBe(
      'The line does not start with a key type sshd knows ("ssh-foo").',
    );
    expect(refusal(() => readSshdKey('ECDSA AAAA')).code).toBe('invalid-key');
    expect(refusal(() => readSshdKey('ssh-dss AAAA')).code).toBe('unsupported');
    const cert = refusal(() => readSshdKey('ssh-ed25519-cert-v01@openssh.com AAAA'));
    expect(cert.code).toBe('unsupported');
    expect(cert.message).toMatch(/is an OpenSSH certificate/);
    for (const line of ['ssh-ed25519', 'ssh-ed25519 ', 'ssh-ed25519 \t ']) {
      expect(refusal(() => readSshdKey(line)).message).toBe(
        'The line has the key type "ssh-ed25519" but no key data after it.',
      );
    }
  });

  it('a blob of another type than the line, or a type name inside that names no curve', () => {
    const [, rsaBase64] = rsaLine.split(' ');
    expect(refusal(() => readSshdKey(`ssh-ed25519 ${rsaBase64}`)).message).toBe(
      'The line says "ssh-ed25519" but the key data holds a "ssh-rsa" key: the line was edited or pieced together from two keys.',
    );
    expect(sshKeygenList(`ssh-ed25519 ${rsaBase64}`)).toBe(null);
    const [, p384] = read('ecdsa-384.pub').split(' ');
    expect(refusal(() => readSshdKey(`ecdsa-sha2-nistp256 ${p384}`)).message).toMatch(
      /holds a "ecdsa-sha2-nistp384" key/,
    );
    const ecdsa = blobOf('ECDSA', 'nistp256', ecdsaPoint);
    expect(refusal(() => readSshdKey(`ecdsa-sha2-nistp256 ${base64Encode(ecdsa)}`)).message).toBe(
      'The key data holds a key type sshd does not read ("ECDSA").',
    );
    expect(sshKeygenList(`ecdsa-sha2-nistp256 ${base64Encode(ecdsa)}`)).toBe(null);
  });

  it('an ECDSA blob naming another curve, and a wrong-length ed25519 key', () => {
    const wrongCurve = blobOf('ecdsa-sha2-nistp256', 'nistp384', ecdsaPoint);
    expect(
      refusal(() => readSshdKey(`ecdsa-sha2-nistp256 ${base64Encode(wrongCurve)}`)).message,
    ).toBe(
      'The key type "ecdsa-sha2-nistp256" needs curve "nistp256" but the key data names "nistp384".',
    );
    const short = blobOf('ssh-ed25519', ed25519Point.subarray(1));
    expect(refusal(() => readSshdKey(`ssh-ed25519 ${base64Encode(short)}`)).message).toBe(
      'The ssh-ed25519 public key must be 32 bytes but it is 31.',
    );
  });

  it('bytes after the key, or a blob cut short', () => {
    const extra = new Uint8Array([...ed25519.blob, 0, 0]);
    expect(refusal(() => readSshdKey(`ssh-ed25519 ${base64Encode(extra)}`)).message).toBe(
      'The ssh-ed25519 key data has 2 unexpected bytes after the key.',
    );
    const cut = ed25519.blob.subarray(0, ed25519.blob.length - 1);
    expect(refusal(() => readSshdKey(`ssh-ed25519 ${base64Encode(cut)}`)).message).toBe(
      'The key data is cut short (it ends before its public key).',
    );
    const skCut = blobOf('sk-ssh-ed25519@openssh.com', skPoint);
    expect(
      refusal(() => readSshdKey(`sk-ssh-ed25519@openssh.com ${base64Encode(skCut)}`)).message,
    ).toBe('The key data is cut short (it ends before its application).');
  });

  it('base64 that b64_pton refuses', () => {
    const message =
      'The key data is not valid base64 (it is cut short, padded wrongly or contains characters outside A–Z, a–z, 0–9, + and /).';
    expect(refusal(() => readSshdKey('ssh-ed25519 AAAA*AAA')).message).toBe(message);
  });
});

describe('base64DecodeSshd: b64_pton as sshkey_read calls it', () => {
  const bytes = (text: string) => {
    const out = base64DecodeSshd(text);
    return out === null ? null : Array.from(out);
  };

  it('decodes canonical base64 and skips C whitespace anywhere', () => {
    expect(bytes('AQID')).toEqual([1, 2, 3]);
    expect(bytes('')).toEqual([]);
    expect(bytes(' A\tQ\nI\rD\v\f ')).toEqual([1, 2, 3]);
    expect(bytes('AQIDBA==')).toEqual([1, 2, 3, 4]);
    expect(bytes('AQ ID BA =\n=  ')).toEqual([1, 2, 3, 4]);
    expect(bytes('AQIDBAU=')).toEqual([1, 2, 3, 4, 5]);
    expect(bytes('AQIDBAU =\t')).toEqual([1, 2, 3, 4, 5]);
    expect(bytes('/+/+\n')).toEqual([0xff, 0xef, 0xfe]);
  });

  it('refuses a missing pad, a pad too early, a lone pad, text after the pads and stray bits', () => {
    for (const text of [
      'AQIDBA',
      'AQIDBAU',
      'AQIDB',
      'AQID=',
      'AQIDB===',
      'AQIDBA=',
      'AQIDBA= x',
      'AQIDBA==A',
      'AQIDBAU=A',
      'AQIDBAU==',
      'AQIDBB==',
      'AQIDBAV=',
      'AQ\u00a0ID',
      'AQ-D',
      'AQ IDBA==A',
    ]) {
      expect([text, base64DecodeSshd(text)]).toEqual([text, null]);
    }
  });

  it('agrees with ssh-keygen on a CR inside the base64 and on a missing pad', () => {
    const [, base64 = ''] = ed25519Line.split(' ');
    expect(base64.endsWith('=')).toBe(false);
    const spaced = `${base64.slice(0, 20)}\r${base64.slice(20)}`;
    expect(sshKeygenList(`ssh-ed25519 ${spaced} c`)).not.toBe(null);
    expect(readSshdKey(`ssh-ed25519 ${spaced} c`).blob).toEqual(ed25519.blob);
    const cut = base64.slice(0, -1);
    expect(sshKeygenList(`ssh-ed25519 ${cut} c`)).toBe(null);
    expect(() => readSshdKey(`ssh-ed25519 ${cut} c`)).toThrow(KeyFormatError);
  });
});

describe('readSshdKey: the edges', () => {
  it('reads no type from a line that starts with a blank (sshd skips those before the options)', () => {
    expect(refusal(() => readSshdKey(` ${ed25519Line}`)).message).toBe(
      'The line does not start with a key type sshd knows ("").',
    );
  });

  it('calls a word that only ends like a certificate type an unknown type', () => {
    const word = 'ssh-ed25519-cert-v01@openssh.comX';
    expect(refusal(() => readSshdKey(`${word} AAAA`)).code).toBe('invalid-key');
  });

  it('refuses a NUL at the start of the type name inside', () => {
    const name = new Uint8Array([0, ...new TextEncoder().encode('ssh-ed25519')]);
    expect(
      refusal(() => readSshdKey(`ssh-ed25519 ${base64Encode(blobOf(name, ed25519Point))}`)).message,
    ).toBe("The key's key type contains a NUL byte.");
  });

  it('names the field a blob ends before', () => {
    const cases: [string, Uint8Array, string][] = [
      ['ssh-rsa', blobOf('ssh-rsa'), 'exponent'],
      ['ecdsa-sha2-nistp256', blobOf('ecdsa-sha2-nistp256'), 'curve name'],
      [
        'sk-ecdsa-sha2-nistp256@openssh.com',
        blobOf('sk-ecdsa-sha2-nistp256@openssh.com', 'nistp256', ecdsaPoint),
        'application',
      ],
    ];
    for (const [type, blob, field] of cases) {
      expect(refusal(() => readSshdKey(`${type} ${base64Encode(blob)}`)).message).toBe(
        `The key data is cut short (it ends before its ${field}).`,
      );
    }
    const negative = blobOf('ssh-rsa', new Uint8Array([0x81]), rsaN);
    expect(refusal(() => readSshdKey(`ssh-rsa ${base64Encode(negative)}`)).message).toBe(
      'The RSA exponent is negative: the key data is damaged.',
    );
  });

  it('names key-encoding once when both the blob and the base64 differ from ssh-keygen', () => {
    const text = base64Encode(blobOf('ED25519', ed25519Point));
    const key = readSshdKey(`ssh-ed25519 ${text.slice(0, 4)}\r${text.slice(4)}`);
    expect(key.blob).toEqual(ed25519.blob);
    expect(key.quirks).toEqual(['key-encoding']);
  });
});
