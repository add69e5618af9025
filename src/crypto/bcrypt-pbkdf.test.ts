import { pbkdf } from 'bcrypt-pbkdf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bcryptPbkdf, bcryptPbkdfBlock, warmUpBcryptPbkdf } from './bcrypt-pbkdf.ts';
import { bcryptPbkdfBlockCount, interleaveBlocks } from './bcrypt-pbkdf-blocks.ts';
import { BLOWFISH_PI_HEX } from './blowfish-pi.ts';

/** The npm bcrypt-pbkdf package (a port of OpenBSD's C), as the test oracle. */
function oracle(pass: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number): Uint8Array {
  const out = new Uint8Array(keyLength);
  expect(pbkdf(pass, pass.length, salt, salt.length, out, keyLength, rounds)).toBe(0);
  return out;
}

/** Hex digits of pi's fractional part by Machin's formula, pi = 16 atan(1/5) - 4 atan(1/239). */
function piHexDigits(count: number): string {
  const precision = BigInt(count * 4 + 64);
  const one = 1n << precision;
  const atanInverse = (x: bigint): bigint => {
    let term = one / x;
    let sum = term;
    const x2 = x * x;
    for (let n = 3n, sign = -1n; term !== 0n; n += 2n, sign = -sign) {
      term /= x2;
      sum += (sign * term) / n;
    }
    return sum;
  };
  const pi = 16n * atanInverse(5n) - 4n * atanInverse(239n);
  return ((pi - 3n * one) >> 64n).toString(16).padStart(count, '0');
}

describe('bcrypt_pbkdf', () => {
  it("Blowfish's initial state is the hex digits of pi", () => {
    expect(BLOWFISH_PI_HEX).toHaveLength((18 + 1024) * 8);
    // The last few digits may differ by the truncation of the series; compare all but 4.
    expect(piHexDigits(BLOWFISH_PI_HEX.length).slice(0, -4)).toBe(BLOWFISH_PI_HEX.slice(0, -4));
  });

  it('matches the reference implementation on 48 bytes at 16 rounds (an OpenSSH key file)', () => {
    const pass = new TextEncoder().encode('correct horse battery staple');
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    expect(bcryptPbkdf(pass, salt, 16, 48)).toEqual(oracle(pass, salt, 16, 48));
  });

  it('matches the reference implementation for any pass, salt, rounds and length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 80 }),
        (pass, salt, rounds, keyLength) => {
          expect(bcryptPbkdf(pass, salt, rounds, keyLength)).toEqual(
            oracle(pass, salt, rounds, keyLength),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('can be computed block by block (in parallel workers) and interleaved', () => {
    const pass = new TextEncoder().encode('pässwörd 鍵');
    const salt = new Uint8Array(16).fill(3);
    expect(bcryptPbkdfBlockCount(48)).toBe(2);
    const blocks = [bcryptPbkdfBlock(pass, salt, 2, 1), bcryptPbkdfBlock(pass, salt, 2, 2)];
    expect(interleaveBlocks(blocks, 48)).toEqual(oracle(pass, salt, 2, 48));
    const three = [1, 2, 3].map((b) => bcryptPbkdfBlock(pass, salt, 1, b));
    expect(interleaveBlocks(three, 70)).toEqual(oracle(pass, salt, 1, 70));
  });

  it('leaves nothing behind in its reused working memory (warm-up, then other inputs)', () => {
    warmUpBcryptPbkdf();
    const pass = new TextEncoder().encode('after warm-up');
    const salt = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    expect(bcryptPbkdf(pass, salt, 3, 48)).toEqual(oracle(pass, salt, 3, 48));
    expect(bcryptPbkdfBlock(pass, salt, 3, 2)).toEqual(bcryptPbkdfBlock(pass, salt, 3, 2));
  });

  it('refuses what bcrypt_pbkdf.c refuses, with the field named', () => {
    const salt = new Uint8Array(16);
    const pass = new Uint8Array([1]);
    expect(() => bcryptPbkdf(new Uint8Array(0), salt, 16, 48)).toThrow(/"pass" must not be empty/);
    expect(() => bcryptPbkdf(pass, new Uint8Array(0), 16, 48)).toThrow(RangeError);
    expect(() => bcryptPbkdf(pass, salt, 0, 48)).toThrow(/"rounds"/);
    expect(() => bcryptPbkdf(pass, salt, 1, 0)).toThrow(/"keyLength"/);
    expect(() => bcryptPbkdf(pass, salt, 1, 1025)).toThrow(RangeError);
    expect(() => bcryptPbkdf('x' as unknown as Uint8Array, salt, 1, 48)).toThrow(TypeError);
    expect(() => bcryptPbkdfBlock(pass, salt, 1, 0)).toThrow(/"block"/);
    expect(() => interleaveBlocks([new Uint8Array(32)], 48)).toThrow(/must hold 2 blocks/);
    expect(() => interleaveBlocks([new Uint8Array(32), new Uint8Array(31)], 48)).toThrow(/block 2/);
  });
});
