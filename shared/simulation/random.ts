// Seeded pseudo-random numbers for the simulator: the same seed replays the same run, bit for bit.

/** mulberry32: a 32-bit state, fast, and good enough for thinning and service-time draws. Values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * One uniform draw in [0, 1) for item `index` under `seed`, independent of every other item: a row keeps
 * its draw when rows before it are added or dropped. (The index is mixed in with a multiplicative hash,
 * so neighbouring rows do not get neighbouring states.)
 */
export function uniformAt(seed: number, index: number): number {
  const mixed = Math.imul(index ^ (index >>> 16), 0x45d9f3b) ^ Math.imul(seed | 0, 0x27d4eb2d);
  return seededRandom(mixed)();
}
