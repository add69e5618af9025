/**
 * bcrypt_pbkdf (OpenBSD's bcrypt_pbkdf.c, used by OpenSSH for openssh-key-v1 encryption,
 * PROTOCOL.key): PBKDF2-like, with bcrypt_hash (Blowfish, "eksblowfish" key schedule) in place
 * of HMAC, and its output blocks interleaved rather than concatenated.
 *
 * Each 32-byte output block is independent (block i hashes salt || uint32 i), so callers may
 * compute blocks in parallel workers with bcryptPbkdfBlock and join them with interleaveBlocks
 * (bcrypt-pbkdf-blocks.ts).
 */
/* eslint-disable @typescript-eslint/no-non-null-assertion --
   Hot loops over fixed-size typed arrays; every index is in range by construction. */
import { sha512 } from '@noble/hashes/sha2.js';
import { bcryptPbkdfBlockCount, interleaveBlocks } from './bcrypt-pbkdf-blocks.ts';
import { BLOWFISH_PI_HEX } from './blowfish-pi.ts';

/**
 * Blowfish state as one Int32Array: P (18 words) at 0, then S-boxes 0–3 at 18, 274, 530, 786.
 * Int32, not Uint32: a Uint32Array read above 2^31 is not a small integer for V8 and pushes
 * the whole round function into float arithmetic; with `| 0` every value stays an int32 and the
 * additions wrap mod 2^32 as Blowfish's do.
 */
const STATE_WORDS = 18 + 1024;
/*
 * The tables are filled on first use, not at import, and the arrays are marked pure: a bundle
 * that needs only interleaveBlocks (the page, while the workers do the hashing) can then drop
 * the digits of pi and the Blowfish code.
 */
const INITIAL_STATE = /* @__PURE__ */ new Int32Array(STATE_WORDS);

/**
 * Working memory, allocated once per thread (each worker has its own module instance). Module
 * constants rather than fields or arguments: V8 then knows the arrays' lengths and drops the
 * bounds checks it can prove. Safe because a block is computed synchronously,
 * start to end, and wiped after (bcryptPbkdfBlock).
 */
const STATE = /* @__PURE__ */ new Int32Array(STATE_WORDS);
const PASS = /* @__PURE__ */ new Int32Array(16);
const SALT = /* @__PURE__ */ new Int32Array(16);
const CDATA = /* @__PURE__ */ new Int32Array(8);
/** Blowfish_expand0state's data stream: none, which is expandState's XOR with zeros. */
const ZERO = /* @__PURE__ */ new Int32Array(16);

/** bcrypt_hash's plaintext: "OxychromaticBlowfishSwatDynamite", as 8 big-endian words. */
const MAGIC = /* @__PURE__ */ new Int32Array(8);

/** Fills INITIAL_STATE and MAGIC, once. */
function initTables(): void {
  if (MAGIC[0] !== 0) return;
  for (let i = 0; i < STATE_WORDS; i++) {
    INITIAL_STATE[i] = parseInt(BLOWFISH_PI_HEX.slice(i * 8, i * 8 + 8), 16) | 0;
  }
  wordsBigEndian(new TextEncoder().encode('OxychromaticBlowfishSwatDynamite'), MAGIC);
}

function wordsBigEndian(bytes: Uint8Array, words: Int32Array): void {
  for (let i = 0; i < words.length; i++) {
    words[i] =
      (bytes[4 * i]! << 24) |
      (bytes[4 * i + 1]! << 16) |
      (bytes[4 * i + 2]! << 8) |
      bytes[4 * i + 3]!;
  }
}

/** Blowfish's output of the last encipher call: left word, right word. */
const LR = /* @__PURE__ */ new Int32Array(2);

/**
 * Blowfish_encipher (Schneier 1993; OpenBSD blf.c) of the block (l, r) under STATE, into LR:
 * 16 Feistel rounds with F(x) = ((S0[x >>> 24] + S1[x >>> 16 & 255]) ^ S2[x >>> 8 & 255]) +
 * S3[x & 255]. Nearly all of bcrypt_pbkdf's time is spent here (24 rounds × 129 re-keyings ×
 * 521 blocks per output block). Two rounds per loop step keep it small enough for V8 to inline
 * into each caller; the 16 rounds written out are too large to inline.
 */
// prettier-ignore
function encipher(l: number, r: number): void {
  const s = STATE;
  l ^= s[0]!;
  for (let i = 1; i < 17; i += 2) {
    r ^= ((((s[18 + (l >>> 24)]! + s[274 + ((l >>> 16) & 255)]!) | 0) ^ s[530 + ((l >>> 8) & 255)]!) + s[786 + (l & 255)]!) ^ s[i]!;
    l ^= ((((s[18 + (r >>> 24)]! + s[274 + ((r >>> 16) & 255)]!) | 0) ^ s[530 + ((r >>> 8) & 255)]!) + s[786 + (r & 255)]!) ^ s[i + 1]!;
  }
  LR[0] = r ^ s[17]!;
  LR[1] = l;
}

/**
 * Blowfish_expandstate (bcrypt_hash's re-keying): XOR the key into P, then replace P and the
 * S-boxes, in order, by enciphering a running block XORed with the data stream. `key` and
 * `data` are 64-byte SHA-512 digests as 16 words; both streams cycle through them.
 * Blowfish_expand0state is the same with a data stream of zeros (ZERO).
 */
function expandState(key: Int32Array, data: Int32Array): void {
  const st = STATE;
  for (let i = 0; i < 18; i++) st[i] = st[i]! ^ key[i & 15]!;
  let l = 0;
  let r = 0;
  for (let i = 0, j = 0; i < STATE_WORDS; i += 2, j = (j + 2) & 15) {
    encipher(l ^ data[j]!, r ^ data[j + 1]!);
    l = st[i] = LR[0]!;
    r = st[i + 1] = LR[1]!;
  }
}

/** Enciphers the 8-word `c` in place, 64 times over (bcrypt_hash's final step), in ECB. */
function encipher64(c: Int32Array): void {
  for (let n = 0; n < 64; n++) {
    for (let b = 0; b < 8; b += 2) {
      encipher(c[b]!, c[b + 1]!);
      c[b] = LR[0]!;
      c[b + 1] = LR[1]!;
    }
  }
}

/** bcrypt_hash(sha2pass, sha2salt) → 32 bytes into `out` (OpenBSD bcrypt_pbkdf.c). */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void {
  wordsBigEndian(sha2pass, PASS);
  wordsBigEndian(sha2salt, SALT);
  STATE.set(INITIAL_STATE);
  expandState(PASS, SALT);
  for (let i = 0; i < 64; i++) {
    expandState(SALT, ZERO);
    expandState(PASS, ZERO);
  }
  CDATA.set(MAGIC);
  encipher64(CDATA);
  // bcrypt_hash copies the words out little-endian.
  for (let i = 0; i < 8; i++) {
    const w = CDATA[i]!;
    out[4 * i] = w & 255;
    out[4 * i + 1] = (w >>> 8) & 255;
    out[4 * i + 2] = (w >>> 16) & 255;
    out[4 * i + 3] = w >>> 24;
  }
}

function checkInputs(pass: Uint8Array, salt: Uint8Array, rounds: number): void {
  if (!(pass instanceof Uint8Array)) throw new TypeError('"pass" must be a Uint8Array');
  if (!(salt instanceof Uint8Array)) throw new TypeError('"salt" must be a Uint8Array');
  if (typeof rounds !== 'number') throw new TypeError('"rounds" must be a number');
  // The limits bcrypt_pbkdf.c itself enforces.
  if (pass.length === 0) throw new RangeError('"pass" must not be empty');
  if (salt.length === 0 || salt.length > 1 << 20) {
    throw new RangeError('"salt" must be 1 to 1048576 bytes');
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 0xffffffff) {
    throw new RangeError('"rounds" must be an integer from 1 to 4294967295');
  }
}

/**
 * One 32-byte output block of bcrypt_pbkdf (`block` counts from 1): the part that can run in
 * its own worker. Synchronous and CPU-bound (about 5 ms per round).
 */
export function bcryptPbkdfBlock(
  pass: Uint8Array,
  salt: Uint8Array,
  rounds: number,
  block: number,
): Uint8Array {
  checkInputs(pass, salt, rounds);
  if (!Number.isInteger(block) || block < 1 || block > 32) {
    throw new RangeError('"block" must be an integer from 1 to 32');
  }
  initTables();
  const sha2pass = sha512(pass);
  const countsalt = new Uint8Array(salt.length + 4);
  countsalt.set(salt);
  new DataView(countsalt.buffer).setUint32(salt.length, block);
  const tmp = new Uint8Array(32);
  bcryptHash(sha2pass, sha512(countsalt), tmp);
  const out = tmp.slice();
  for (let round = 1; round < rounds; round++) {
    bcryptHash(sha2pass, sha512(tmp), tmp);
    for (let i = 0; i < 32; i++) out[i]! ^= tmp[i]!;
  }
  // Best effort in a garbage-collected language: leave no key schedule derived from the
  // passphrase in the long-lived working memory.
  STATE.fill(0);
  PASS.fill(0);
  SALT.fill(0);
  CDATA.fill(0);
  tmp.fill(0);
  sha2pass.fill(0);
  return out;
}

/**
 * bcrypt_pbkdf(pass, salt, rounds) → keyLength bytes, synchronously in this thread. It takes
 * hundreds of milliseconds at OpenSSH's rounds: call it from a worker, never a UI thread.
 */
export function bcryptPbkdf(
  pass: Uint8Array,
  salt: Uint8Array,
  rounds: number,
  keyLength: number,
): Uint8Array {
  checkInputs(pass, salt, rounds);
  const count = bcryptPbkdfBlockCount(keyLength);
  const blocks: Uint8Array[] = [];
  for (let block = 1; block <= count; block++)
    blocks.push(bcryptPbkdfBlock(pass, salt, rounds, block));
  return interleaveBlocks(blocks, keyLength);
}

/**
 * Derives one throwaway block at 2 rounds so that the JIT has compiled the Blowfish loops
 * before a real derivation: call it when a KDF worker starts, well before the user clicks, or
 * the first real block runs partly unoptimised.
 */
export function warmUpBcryptPbkdf(): void {
  bcryptPbkdfBlock(new Uint8Array([0]), new Uint8Array(16), 2, 1);
}
