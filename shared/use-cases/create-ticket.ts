import type { z } from 'zod';
import { MAX_PAYLOAD_BYTES, type TicketInput, ticketInputSchema } from '../domain/schemas.js';
import { newTicket, ticketIdFor } from '../domain/ticket.js';
import type { Ticket } from '../domain/types.js';
import { AppError, conflict } from '../lib/errors.js';
import { canonicalJson, sha256Hex } from '../lib/hash.js';
import { jsonValueProblems } from '../lib/json-limits.js';
import { issueDetails } from '../lib/zod-issues.js';
import { cachedPolicy } from '../store/config-store.js';
import { cachedSlaPolicies } from '../store/sla-store.js';
import { getTicket, insertTicket } from '../store/ticket-store.js';
import { type AppContext, isoNow } from './context.js';

export interface CreatedTicket {
  /** true when this call created it; false when the same body had been sent before. */
  created: boolean;
  ticket: Pick<Ticket, 'ticketId' | 'status' | 'dueAt' | 'createdAt'>;
}

/** Validate a raw ticket body: the same rules for the API, the batch and the intake queue. */
export function parseTicketInput(body: unknown, pathPrefix: (string | number)[] = []): TicketInput {
  const parsed = ticketInputSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      'validation_error',
      'the ticket is not valid',
      issueDetails(parsed.error as z.ZodError, pathPrefix),
    );
  }
  if (parsed.data.payload !== undefined) {
    const problems = jsonValueProblems(parsed.data.payload, [...pathPrefix, 'payload']);
    if (problems.length)
      throw new AppError('validation_error', 'the payload cannot be kept as sent', problems);
    if (payloadBytes(parsed.data.payload) > MAX_PAYLOAD_BYTES) {
      throw new AppError('payload_too_large', `payload is larger than ${MAX_PAYLOAD_BYTES} bytes serialized`);
    }
  }
  return parsed.data;
}

const payloadBytes = (payload: unknown) => Buffer.byteLength(JSON.stringify(payload) ?? '', 'utf8');

/**
 * Accept a ticket once per (source, externalId). The same body again answers
 * with the ticket as it is now; a different body under that id is a conflict.
 */
export async function createTicket(
  ctx: AppContext,
  sourceId: string,
  input: TicketInput,
): Promise<CreatedTicket> {
  const bodyHash = sha256Hex(canonicalJson(input));
  const [slaPolicy, slaPolicies] = await Promise.all([
    cachedPolicy(ctx.table, 'sla'),
    cachedSlaPolicies(ctx.table),
  ]);
  const ticket = newTicket({ sourceId, input, bodyHash, now: isoNow(ctx), slaPolicy, slaPolicies });
  const outcome = await insertTicket(ctx.table, ticket, input.payload);
  if (outcome === 'created') {
    await ctx.routingQueue.enqueue([ticket.ticketId]);
    return { created: true, ticket };
  }
  const existing = await getTicket(ctx.table, ticketIdFor(sourceId, input.externalId));
  if (!existing) throw new Error('ticket vanished after a conditional put found it');
  if (existing.bodyHash !== bodyHash) {
    throw conflict(`externalId ${input.externalId} was already used with a different body`);
  }
  // A retry heals a lost enqueue; routing is idempotent, so a duplicate message is harmless.
  if (existing.status === 'received') await ctx.routingQueue.enqueue([existing.ticketId]);
  return { created: false, ticket: existing };
}

export interface BatchResult {
  externalId: string | null;
  ticketId?: string;
  status?: string;
  error?: { code: string; message: string; details?: unknown };
}

/** Each item on its own: one bad item does not fail the others. */
export async function createTicketBatch(
  ctx: AppContext,
  sourceId: string,
  items: unknown[],
): Promise<BatchResult[]> {
  return Promise.all(
    items.map(async (item, index): Promise<BatchResult> => {
      const externalId =
        item && typeof item === 'object' && typeof (item as { externalId?: unknown }).externalId === 'string'
          ? (item as { externalId: string }).externalId
          : null;
      try {
        const { ticket } = await createTicket(ctx, sourceId, parseTicketInput(item, ['items', index]));
        return { externalId, ticketId: ticket.ticketId, status: ticket.status };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { externalId, error: { code: error.code, message: error.message, details: error.details } };
      }
    }),
  );
}
