// Exact money: amounts are integers of the currency's minor unit (cents for USD, yen for JPY, fils for
// KWD), computed with integer (BigInt) arithmetic and rounded once per figure, half away from zero.
// Binary floating point never touches an amount.
import { z } from 'zod';

/** A decimal amount as the API writes it: digits, at most 3 decimals (the currency decides how many). */
export const moneySchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "2.50"')
  .meta({ description: 'Money as a decimal string, at most the currency’s minor units ("2.50")' });

/** ISO 4217 code that this runtime knows. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as USD')
  .refine((code) => {
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency: code });
      return true;
    } catch {
      return false;
    }
  }, 'an ISO 4217 currency code such as USD');

/** Decimals of the currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits as number;
}

/** Decimals in a money string. */
export const decimalsOf = (amount: string) => amount.split('.')[1]?.length ?? 0;

/** "2.5" in USD → 250. Throws when the amount has more decimals than the currency (schemas check first). */
export function toMinor(amount: string, digits: number): number {
  const [whole = '0', fraction = ''] = amount.split('.');
  if (fraction.length > digits) throw new Error(`${amount} has more than ${digits} decimals`);
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** 250 in USD → "2.50"; negative amounts keep their sign ("-1.05"). */
export function formatMinor(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(minor));
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10n ** BigInt(digits);
  return `${sign}${abs / unit}.${(abs % unit).toString().padStart(digits, '0')}`;
}

/** numerator / denominator rounded half away from zero (BigInt, exact). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new Error('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const [n, d] = [numerator < 0n ? -numerator : numerator, denominator < 0n ? -denominator : denominator];
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

/** Six decimals are the most any rate or percentage of the contract may carry: they are exact as millionths. */
export const MICRO = 1_000_000;
export const toMicro = (value: number): bigint => BigInt(Math.round(value * MICRO));

/** `percent`% (a number with at most 6 decimals) of an amount in minor units, rounded half away from zero. */
export function percentOf(minor: number, percent: number): number {
  return Number(divideRounded(BigInt(minor) * toMicro(percent), 100n * BigInt(MICRO)));
}
