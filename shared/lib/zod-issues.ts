import type { z } from 'zod';
import type { ErrorDetail } from './errors.js';

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** zod issues as the contract's `details`: a dotted path and a message each; an unknown field names itself. */
export function issueDetails(error: z.ZodError, prefix: (string | number)[] = []): ErrorDetail[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotted([...prefix, ...issue.path, key]), message: 'unknown field' }))
      : [{ path: dotted([...prefix, ...issue.path]), message: issue.message }],
  );
}
