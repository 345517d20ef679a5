// Limits on the shape of JSON that comes in from outside (request bodies,
// intake messages, ticket payloads), checked before anything walks it
// recursively, so no input can exhaust the stack or reach the store unkept.
import type { ErrorDetail } from './errors.js';

/** Deeper JSON text is refused as a whole: every schema of the contract is far shallower. */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in a JSON text, found without
 * parsing it (one pass, no recursion; brackets inside strings do not count).
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/**
 * Problems that would change a JSON value on its way through the store:
 * numbers JSON.parse could not keep (beyond ±1.7e308 they became Infinity).
 * Keys of any name, `__proto__` and `constructor` included, are fine: the
 * payload is stored as JSON text.
 */
export function jsonValueProblems(value: unknown, path: (string | number)[] = []): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path }];
  while (stack.length && problems.length < 10) {
    const { value: current, path: at } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof current === 'number' && !Number.isFinite(current)) {
      problems.push({ path: at.join('.'), message: 'a number beyond the range of a 64-bit float' });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, path: [...at, index] }));
    } else if (current && typeof current === 'object') {
      for (const key of Object.keys(current)) {
        stack.push({ value: (current as Record<string, unknown>)[key], path: [...at, key] });
      }
    }
  }
  return problems;
}
