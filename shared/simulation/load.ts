// Scales a trace to a stated load: "load 0.9" means the tickets arrive at 90 % of what the providers can
// finish in their open hours over a week. Thinning below the trace's own rate, overlaying week-shifted
// copies of it above, so the arrival pattern over the week (weekday, hour of day) stays the trace's own.
import { compileCalendar } from '../domain/calendar.js';
import type { SimProviderConfig, TraceTicket } from './types.js';
import { uniformAt } from './random.js';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
const THINNING_STREAM = 0x2545f491;

/** Open hours of one provider in the week starting at `fromMs`, in its own time zone and business hours. */
export function openHoursInWeek(provider: SimProviderConfig, fromMs: number): number {
  // Eight days of horizon: compileCalendar clips to its horizon, and the week must lie wholly inside it.
  const calendar = compileCalendar(provider, fromMs, 8);
  if (calendar.alwaysOpen) return 7 * 24;
  const toMs = fromMs + WEEK_MS;
  let openMs = 0;
  for (let i = 0; i < calendar.startsMs.length; i++) {
    openMs += Math.max(0, Math.min(calendar.endsMs[i]!, toMs) - Math.max(calendar.startsMs[i]!, fromMs));
  }
  return openMs / HOUR_MS;
}

/** Tickets the active providers finish in a week of their open hours, the week starting at `fromMs`. */
export function capacityPerWeek(providers: readonly SimProviderConfig[], fromMs: number): number {
  return providers
    .filter((provider) => provider.status === 'active')
    .reduce((sum, provider) => sum + provider.throughputPerHour * openHoursInWeek(provider, fromMs), 0);
}

/** The trace's arrivals per week over its span (first to last createdAt; at least an hour). */
export function offeredPerWeek(tickets: readonly TraceTicket[]): number {
  if (!tickets.length) return 0;
  const spanMs = Math.max(tickets.at(-1)!.createdMs - tickets[0]!.createdMs, HOUR_MS);
  return (tickets.length * WEEK_MS) / spanMs;
}

/** How many times the trace must be replayed to reach `load` (below 1: the share of tickets kept). */
export function loadFactor(
  tickets: readonly TraceTicket[],
  providers: readonly SimProviderConfig[],
  load: number,
): number {
  if (!(load > 0) || !Number.isFinite(load))
    throw new RangeError(`load must be a positive number, got ${load}`);
  if (!tickets.length) return 0;
  const capacity = capacityPerWeek(providers, tickets[0]!.createdMs);
  if (!(capacity > 0)) throw new RangeError('the providers have no open capacity in a week');
  return (load * capacity) / offeredPerWeek(tickets);
}

/** Whole weeks shifted by copy 1, 2, 3 …: +1, −1, +2, −2 … */
const copyShiftWeeks = (copy: number) => (copy % 2 === 1 ? (copy + 1) / 2 : -copy / 2);

function shifted(ticket: TraceTicket, shiftMs: number): TraceTicket {
  return {
    ...ticket,
    createdMs: ticket.createdMs + shiftMs,
    ...(ticket.dueMs === undefined ? {} : { dueMs: ticket.dueMs + shiftMs }),
  };
}

/**
 * The trace scaled to `load` of the providers' weekly capacity, sorted by createdMs. Deterministic per
 * seed; each ticket has one draw per copy, so with the same seed a lower load keeps a subset of a higher
 * one's tickets (the policies and loads compare on common random numbers).
 *
 * Copies are shifted by whole weeks (in UTC) and wrapped into the trace's span rounded up to whole weeks,
 * so every ticket keeps its weekday and hour of day; a span that is not whole weeks therefore spreads the
 * copies up to a week past the last arrival.
 */
export function scaleLoad(
  tickets: readonly TraceTicket[],
  providers: readonly SimProviderConfig[],
  load: number,
  seed: number,
): TraceTicket[] {
  const factor = loadFactor(tickets, providers, load);
  if (!tickets.length) return [];
  const firstMs = tickets[0]!.createdMs;
  const periodMs = Math.max(1, Math.ceil((tickets.at(-1)!.createdMs - firstMs) / WEEK_MS)) * WEEK_MS;
  const copies = Math.ceil(factor);
  const result: TraceTicket[] = [];
  for (let copy = 0; copy < copies; copy++) {
    // Full copies keep every ticket; the last one keeps the fractional part (the only one when factor ≤ 1).
    const keep = copy === copies - 1 ? factor - copy : 1;
    // A stream of its own per copy: the engine draws work from uniformAt(seed, index), and a thinning
    // correlated with it would keep the short tickets.
    const copySeed = Math.imul((seed ^ THINNING_STREAM) | 0, 31) + copy;
    const shiftMs = copy === 0 ? 0 : copyShiftWeeks(copy) * WEEK_MS;
    tickets.forEach((ticket, index) => {
      if (keep < 1 && uniformAt(copySeed, index) >= keep) return;
      if (shiftMs === 0) return void result.push(ticket);
      const wrappedMs =
        firstMs + ((((ticket.createdMs - firstMs + shiftMs) % periodMs) + periodMs) % periodMs);
      result.push(shifted(ticket, wrappedMs - ticket.createdMs));
    });
  }
  // Stable: equal instants keep copy order.
  return result.sort((a, b) => a.createdMs - b.createdMs);
}
