// Opaque, tamper-proof list cursors: the position is signed with a secret of
// the stage (HMAC-SHA256) and bound to the query it continues, so a client can
// neither forge a start key nor move a cursor to another query.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** For a process without a configured secret (a test, a script): its cursors work within it only. */
const PROCESS_SECRET = randomBytes(32).toString('base64url');

const mac = (secret: string, scope: string, body: string) =>
  createHmac('sha256', secret).update(scope).update('\u0000').update(body).digest();

export function signCursor(secret: string | undefined, scope: string, position: unknown): string {
  const body = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${body}.${mac(secret ?? PROCESS_SECRET, scope, body).toString('base64url')}`;
}

const invalidCursor = () =>
  new AppError('validation_error', 'the cursor is not valid', [
    { path: 'cursor', message: 'not a cursor of this query; start again without one' },
  ]);

/** The position a cursor of this scope carries; anything forged, altered or from another query is a 400. */
export function openCursor<T>(
  secret: string | undefined,
  scope: string,
  cursor: string,
  schema: z.ZodType<T>,
): T {
  const [body, signature, extra] = cursor.split('.');
  if (!body || !signature || extra !== undefined) throw invalidCursor();
  const expected = mac(secret ?? PROCESS_SECRET, scope, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(position);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}
