/**
 * How bcrypt_pbkdf's 32-byte blocks make its output (bcrypt_pbkdf.c): apart from the hashing
 * itself, so the page can join the blocks its workers computed without loading Blowfish.
 */
/* eslint-disable @typescript-eslint/no-non-null-assertion --
   Indices are in range by construction. */

/** How many 32-byte blocks bcrypt_pbkdf needs for `keyLength` bytes. */
export function bcryptPbkdfBlockCount(keyLength: number): number {
  if (!Number.isInteger(keyLength) || keyLength < 1 || keyLength > 1024) {
    throw new RangeError('"keyLength" must be an integer from 1 to 1024');
  }
  return Math.ceil(keyLength / 32);
}

/**
 * Joins blocks 1…n (n = bcryptPbkdfBlockCount(keyLength)) into the key the way bcrypt_pbkdf.c
 * does ("pbkdf2 deviation: output the key material non-linearly"): byte i of block k goes to
 * key[i * n + k - 1].
 */
export function interleaveBlocks(blocks: readonly Uint8Array[], keyLength: number): Uint8Array {
  const stride = bcryptPbkdfBlockCount(keyLength);
  if (blocks.length !== stride) {
    throw new RangeError(
      `"blocks" must hold ${stride} blocks for ${keyLength} bytes, got ${blocks.length}`,
    );
  }
  const key = new Uint8Array(keyLength);
  let amount = Math.ceil(keyLength / stride);
  let remaining = keyLength;
  for (let count = 1; remaining > 0; count++) {
    const block = blocks[count - 1];
    if (!(block instanceof Uint8Array) || block.length !== 32) {
      throw new RangeError(`block ${count} must be a 32-byte Uint8Array`);
    }
    amount = Math.min(amount, remaining);
    let i = 0;
    for (; i < amount; i++) {
      const dest = i * stride + count - 1;
      if (dest >= keyLength) break;
      key[dest] = block[i]!;
    }
    remaining -= i;
  }
  return key;
}
