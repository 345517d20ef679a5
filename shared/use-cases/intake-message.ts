import { z } from 'zod';
import { sourceIdSchema } from '../domain/schemas.js';
import { AppError } from '../lib/errors.js';
import { jsonNestingDepth, MAX_JSON_DEPTH } from '../lib/json-limits.js';
import { issueDetails } from '../lib/zod-issues.js';
import type { AppContext } from './context.js';
import { type CreatedTicket, createTicket, parseTicketInput } from './create-ticket.js';

/** A message body on the intake queue: the ticket body plus `sourceId`, treated exactly as the API would. */
export async function intakeMessage(ctx: AppContext, body: string): Promise<CreatedTicket> {
  if (jsonNestingDepth(body) > MAX_JSON_DEPTH) {
    throw new AppError('validation_error', `the message body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new AppError('validation_error', 'the message body is not valid JSON');
  }
  const withSource = z.object({ sourceId: sourceIdSchema }).safeParse(raw);
  if (!withSource.success) {
    throw new AppError(
      'validation_error',
      'the message names no valid sourceId',
      issueDetails(withSource.error),
    );
  }
  const { sourceId: _sourceId, ...ticketBody } = raw as Record<string, unknown>;
  return createTicket(ctx, withSource.data.sourceId, parseTicketInput(ticketBody));
}
