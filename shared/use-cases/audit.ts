import { capacityUnits } from '../domain/ticket.js';
import type { Ticket } from '../domain/types.js';
import { listProviders } from '../store/provider-store.js';
import { ticketsHoldingCapacity } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

export interface AuditRow {
  providerId: string;
  openItems: number;
  /** Effort units of the queued, leased and held tickets that name this provider, from the tickets themselves. */
  counted: number;
  capacity: number;
  ok: boolean;
}

/**
 * Recomputes each provider's open items from the tickets and compares them
 * with its `openItems` counter. Run it on a quiet system: tickets moving
 * while it reads can show a passing difference.
 */
export async function auditOpenItems(ctx: AppContext): Promise<AuditRow[]> {
  const counted = new Map<string, number>();
  const providers = await listProviders(ctx.table);
  const holding = await ticketsHoldingCapacity(
    ctx.table,
    providers.map((provider) => provider.providerId),
  );
  for (const ticket of holding) {
    const units = capacityUnits(ticket as Pick<Ticket, 'status' | 'hold' | 'effort'>);
    if (units > 0 && ticket.providerId) {
      counted.set(ticket.providerId, (counted.get(ticket.providerId) ?? 0) + units);
    }
  }
  return providers.map((provider) => {
    const count = counted.get(provider.providerId) ?? 0;
    return {
      providerId: provider.providerId,
      openItems: provider.openItems,
      counted: count,
      capacity: provider.capacity,
      ok: count === provider.openItems,
    };
  });
}
