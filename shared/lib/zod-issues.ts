import type { z } from 'zod';
import type { ErrorDetail } from './errors.js';

/** zod issues as the contract's `details`: a dotted path and a message each. */
export function issueDetails(error: z.ZodError, prefix: (string | number)[] = []): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.'),
    message: issue.message,
  }));
}
