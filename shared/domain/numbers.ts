// Numbers the contract accepts are numbers the store keeps and the maths can
// use: bounded, finite, and with few enough decimals that no denormal or
// 40-digit value reaches DynamoDB (which refuses magnitudes below 1e-130 and
// more than 38 significant digits).
import { z } from 'zod';

/** True when `value` has at most `decimals` digits after the point. */
export const hasAtMostDecimals = (value: number, decimals: number): boolean =>
  Number.isFinite(value) && Number(value.toFixed(decimals)) === value;

/** A finite number in [min, max] with at most `decimals` decimals. */
export const boundedNumber = (min: number, max: number, decimals: number) =>
  z
    .number()
    .min(min)
    .max(max)
    .refine((value) => hasAtMostDecimals(value, decimals), `at most ${decimals} decimals`);

/** Ten years in seconds: the longest duration any setting of the contract may name. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;
