/**
 * How much longer than in `npm test` the reliability suite runs: `KEYSMITH_SOAK_SCALE` (a whole
 * number ≥ 1; `npm run soak` sets it). Trial counts and time limits are multiplied by it.
 */
export function soakScale(): number {
  const raw = process.env.KEYSMITH_SOAK_SCALE;
  if (raw === undefined || raw === '') return 1;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) {
    throw new RangeError(
      `KEYSMITH_SOAK_SCALE must be a whole number from 1 to 9999, got "${raw}".`,
    );
  }
  return Number(raw);
}

/** A small seeded PRNG (mulberry32), so random kill points and delays can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed for this run: `KEYSMITH_SEED` to replay one, otherwise fresh (and printed). */
export function runSeed(): number {
  const raw = process.env.KEYSMITH_SEED;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Date.now() % 2_147_483_647;
}
