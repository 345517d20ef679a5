// The optimised decision against the straightforward one it replaced (routing-reference.ts): on random
// snapshots, the same decision to the byte — order, outcome, flags and the stored explanation.
import { describe, expect, it } from 'vitest';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { hardFilterReasons, hardFilterVerdict } from '../../shared/domain/hard-filters.js';
import { decideRoute, isoInstant } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY, type RoutingPolicy } from '../../shared/domain/schemas.js';
import type { Priority, ProviderSnapshot, RoutableTicket } from '../../shared/domain/types.js';
import { seededRandom } from '../../shared/simulation/random.js';
import { decideRouteReference } from './routing-reference.js';

const DAY = 86_400_000;
const SKILLS = ['billing', 'refunds', 'payroll', 'claims'];
const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];

function scenarios(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const clock = (halfHours: number) =>
    `${String(Math.floor(halfHours / 2)).padStart(2, '0')}:${halfHours % 2 ? '30' : '00'}`;

  const businessHours = () => {
    const hours: Partial<Record<(typeof DAYS)[number], [string, string][]>> = {};
    for (const day of DAYS) {
      if (next() < 0.25) continue;
      const start = Math.floor(next() * 47);
      const end = Math.min(48, start + 1 + Math.floor(next() * (48 - start)));
      hours[day] = [[clock(start), clock(end)]];
    }
    return hours;
  };
  // Mostly ordinary, sometimes a configuration the maths refuses (skipped as invalid_configuration).
  const throughput = () =>
    next() < 0.3 ? pick([0, -1, Number.NaN, 1e-300, Number.POSITIVE_INFINITY, 0.01]) : 0.5 + next() * 40;

  const provider = (providerId: string, nowMs: number): ProviderSnapshot => {
    const capacity = Math.floor(next() * 20);
    const openItems = Math.max(0, capacity + Math.floor(next() * 6) - 4);
    const skills: Record<string, number> = {};
    for (const skill of SKILLS) if (next() < 0.4) skills[skill] = 1 + Math.floor(next() * 5);
    const queued = Math.floor(next() * Math.min(openItems + 1, 8));
    return {
      providerId,
      status: pick(['active', 'active', 'active', 'active', 'paused', 'offline'] as const),
      timeZone: next() < 0.02 ? 'Not/AZone' : pick(ZONES),
      ...(next() < 0.75 ? { businessHours: businessHours() } : {}),
      ...(next() < 0.2 ? { holidays: ['2026-03-09', '2026-11-02'] } : {}),
      skills,
      ...(next() < 0.4 ? { languages: next() < 0.5 ? ['en'] : ['es', 'tl'] } : {}),
      capacity,
      openItems,
      throughputPerHour: throughput(),
      costPerItem: next() < 0.1 ? 0 : Math.round(next() * 500) / 100,
      qualityScore: next(),
      dataClearance: pick(['public', 'internal', 'confidential', 'restricted'] as const),
      ...(next() < 0.3 ? { dataRegions: [pick(['US', 'EU'])] } : {}),
      ...(next() < 0.5 ? { allocationShare: Math.round(next() * 100) / 100 } : {}),
      ...(next() < 0.1 ? { overflow: true } : {}),
      routedLast24h: Math.floor(next() * 50),
      ...(next() < 0.5 ? { routedBySkill: { billing: Math.floor(next() * 20), claims: 3 } } : {}),
      ...(next() < 0.6
        ? {
            queue: Array.from({ length: queued }, (_, i) => ({
              ticketId: `${providerId}-q${i}`,
              priority: pick(PRIORITIES),
              dueMs: nowMs + Math.floor((next() - 0.2) * 3 * DAY),
              createdMs: nowMs - Math.floor(next() * DAY),
            })),
          }
        : {}),
      version: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
  };

  const ticket = (ticketId: string, nowMs: number, ids: string[]): RoutableTicket => ({
    ticketId,
    skill: pick([...SKILLS, 'constructor', 'unknown']),
    priority: pick(PRIORITIES),
    ...(next() < 0.5 ? { language: pick(['en', 'es', 'fr']) } : {}),
    minProficiency: 1 + Math.floor(next() * 5),
    dataClassification: pick(['public', 'internal', 'confidential'] as const),
    ...(next() < 0.2 ? { dataRegion: 'US' } : {}),
    createdAt: new Date(nowMs - Math.floor(next() * DAY)).toISOString(),
    dueAt: new Date(nowMs + Math.floor((next() - 0.1) * pick([1, 4, 24, 72, 960]) * 3_600_000)).toISOString(),
    ...(next() < 0.2 ? { rejectedBy: ids.filter(() => next() < 0.1) } : {}),
  });

  const policy = (): RoutingPolicy =>
    next() < 0.5
      ? DEFAULT_ROUTING_POLICY
      : {
          ...DEFAULT_ROUTING_POLICY,
          safetyMarginZ: pick([0, 1, 3]),
          lateAgingSeconds: pick([3600, 86_400]),
          weights: { slack: pick([0, 1, 3]), cost: pick([0, 1]), quality: pick([0, 1]), share: 1, load: 1 },
        };

  return { next, pick, provider, ticket, policy };
}

describe('optimised routing decision', () => {
  it('decides exactly as the straightforward one did, explanation included', () => {
    const { next, pick, provider, ticket, policy } = scenarios(12);
    for (let s = 0; s < 300; s++) {
      const baseMs = Date.parse('2026-01-01T00:00:00.000Z') + Math.floor(next() * 360 * DAY);
      const size = pick([0, 1, 2, 3, 5, 8, 12, 30, 60]);
      const ids = Array.from({ length: size }, (_, i) => `p-${String(i).padStart(3, '0')}`);
      if (next() < 0.5) ids.sort(() => next() - 0.5);
      const providers = ids.map((id) => provider(id, baseMs));
      const calendars = new CalendarCache();
      const routingPolicy = policy();
      // Several decisions on one snapshot, time going either way, the snapshot updated in place as the
      // router does after a reservation.
      for (let d = 0; d < 4; d++) {
        const nowMs = baseMs + Math.floor((next() - 0.3) * 3 * DAY);
        const maxCandidates = pick([undefined, 0, 1, 3, 25]);
        const input = {
          ticket: ticket(`t-${s}-${d}`, nowMs, ids),
          providers,
          policy: routingPolicy,
          nowMs,
          calendars,
          ...(maxCandidates === undefined ? {} : { maxCandidates }),
        };
        const expected = JSON.stringify(decideRouteReference(input));
        expect(JSON.stringify(decideRoute(input))).toBe(expected);
        // A provider refreshed from the store: a new snapshot object, perhaps with other skills.
        if (size > 0 && next() < 0.3) {
          const at = Math.floor(next() * size);
          providers[at] = provider(ids[at]!, nowMs);
        }
        const chosen = providers.find((p) => p.providerId === JSON.parse(expected).order[0]);
        if (chosen) {
          chosen.openItems += 1;
          chosen.routedLast24h += 1;
          chosen.queue?.push({
            ticketId: input.ticket.ticketId,
            priority: input.ticket.priority,
            dueMs: Date.parse(input.ticket.dueAt),
            createdMs: Date.parse(input.ticket.createdAt),
          });
        }
      }
    }
  });
});

describe('the pieces the optimised decision uses', () => {
  it('formats instants exactly as Date#toISOString does', () => {
    const next = seededRandom(3);
    const edges = [
      0,
      0.5,
      -1,
      -0.5,
      86_399_999.9,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1),
      8.64e15,
    ];
    const random = Array.from(
      { length: 20_000 },
      () => (next() - 0.05) * 2.6e14 + (next() < 0.5 ? next() : 0),
    );
    for (const ms of [...edges, ...random]) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
  });

  it('gives the hard-filter verdict its reasons imply', () => {
    const { next, pick, provider, ticket } = scenarios(5);
    const ids = Array.from({ length: 8 }, (_, i) => `p-${i}`);
    for (let i = 0; i < 5000; i++) {
      const nowMs = Date.parse('2026-06-01T00:00:00.000Z');
      const p = provider(pick(ids), nowMs);
      if (next() < 0.1) p.status = 'active';
      const t = ticket('t', nowMs, ids);
      const reasons = hardFilterReasons(p, t);
      const expected =
        reasons.length === 0
          ? 'passes'
          : reasons.length === 1 && reasons[0] === 'at_capacity'
            ? 'full'
            : 'refused';
      expect(hardFilterVerdict(p, t)).toBe(expected);
    }
  });
});
