// The input contract of API keys and the access audit trail (API.md, "Keys,
// audit and limits"), as zod schemas beside the rest in schemas.ts.
import { z } from 'zod';
import { MAX_DURATION_SECONDS } from './numbers.js';
import { providerIdSchema, sourceIdSchema } from './schemas.js';

export const ROLES = ['admin', 'source', 'provider'] as const;

/** `key_` and 20 lowercase base32 characters. */
export const keyIdSchema = z
  .string()
  .regex(/^key_[a-z2-7]{20}$/, 'a key id such as key_abcdefghij234567klmn');

const isoInstant = z.iso.datetime({ offset: true });

/** The body of `POST …/keys` (optional: no body issues a key that never expires). */
export const createKeySchema = z
  .strictObject({ expiresAt: isoInstant.optional() })
  .meta({ id: 'CreateKeyRequest' });

export const listKeysQuerySchema = z.strictObject({
  role: z.enum(ROLES).optional(),
  ownerId: z.union([sourceIdSchema, providerIdSchema]).optional(),
});

/**
 * Rotation: a new key for the same role and owner; the old one keeps working
 * for `graceSeconds` (default one day), then expires.
 */
export const rotateKeySchema = z
  .strictObject({
    graceSeconds: z.number().int().min(0).max(MAX_DURATION_SECONDS).default(86_400),
    expiresAt: isoInstant.optional(),
  })
  .meta({ id: 'RotateKeyRequest' });

export const auditQuerySchema = z.strictObject({
  ticketId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'a ticket id')
    .optional(),
  actor: keyIdSchema.optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2000).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
