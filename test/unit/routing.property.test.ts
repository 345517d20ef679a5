import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessHoursArb } from '../fixtures/routing-entities.js';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { decideRoute } from '../../shared/domain/routing.js';
import { DATA_CLEARANCES, DEFAULT_ROUTING_POLICY } from '../../shared/domain/schemas.js';
import type { ProviderSnapshot, RoutableTicket } from '../../shared/domain/types.js';

const SKILLS = ['billing', 'refunds', 'payroll'] as const;
const MAX_PROVIDERS = 6;
const providerIds = Array.from({ length: MAX_PROVIDERS }, (_, i) => `p-${i}`);

const providerFieldsArb = fc.record({
  status: fc.constantFrom('active', 'active', 'active', 'paused', 'offline'),
  timeZone: fc.constantFrom(
    'UTC',
    'America/New_York',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Asia/Manila',
  ),
  businessHours: fc.option(businessHoursArb, { nil: undefined }),
  holidays: fc.option(fc.array(fc.constantFrom('2026-03-08', '2026-03-09', '2026-11-01', '2026-12-25')), {
    nil: undefined,
  }),
  skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 5 })),
  languages: fc.option(fc.subarray(['en', 'es', 'tl']), { nil: undefined }),
  // Capacity near the backlog, so the at_capacity edge comes up often.
  load: fc
    .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -2, max: 3 }))
    .map(([openItems, room]) => ({ openItems, capacity: Math.max(0, openItems + room) })),
  throughputPerHour: fc.double({ min: 0.5, max: 50, noNaN: true }),
  costPerItem: fc.double({ min: 0, max: 10, noNaN: true }),
  qualityScore: fc.double({ min: 0, max: 1, noNaN: true }),
  dataClearance: fc.constantFrom(...DATA_CLEARANCES),
  dataRegions: fc.option(fc.subarray(['US', 'EU', 'APAC']), { nil: undefined }),
  allocationShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  routedLast24h: fc.nat({ max: 100 }),
});

const providersArb = fc.array(providerFieldsArb, { maxLength: MAX_PROVIDERS }).map((list) =>
  list.map(({ load, ...fields }, i): ProviderSnapshot => ({
    ...fields,
    ...load,
    providerId: providerIds[i]!,
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
  })),
);

// A whole year, both DST changes included.
const nowArb = fc.integer({
  min: Date.parse('2026-01-01T00:00:00.000Z'),
  max: Date.parse('2026-12-31T00:00:00.000Z'),
});

const ticketArb = (nowMs: number) =>
  fc
    .record({
      skill: fc.constantFrom(...SKILLS, 'constructor'),
      priority: fc.constantFrom('P1', 'P2', 'P3', 'P4'),
      language: fc.option(fc.constantFrom('en', 'es', 'tl', 'fr'), { nil: undefined }),
      minProficiency: fc.integer({ min: 1, max: 5 }),
      dataClassification: fc.constantFrom(...DATA_CLEARANCES),
      dataRegion: fc.option(fc.constantFrom('US', 'EU', 'APAC'), { nil: undefined }),
      rejectedBy: fc.option(fc.subarray(providerIds), { nil: undefined }),
      ageMinutes: fc.integer({ min: 0, max: 600 }),
      dueInMinutes: fc.integer({ min: -60, max: 5 * 24 * 60 }),
    })
    .map(({ ageMinutes, dueInMinutes, ...fields }): RoutableTicket => ({
      ...fields,
      ticketId: 'ticket-1',
      createdAt: new Date(nowMs - ageMinutes * 60_000).toISOString(),
      dueAt: new Date(nowMs + dueInMinutes * 60_000).toISOString(),
    }));

const scenarioArb = nowArb.chain((nowMs) =>
  fc.record({ nowMs: fc.constant(nowMs), ticket: ticketArb(nowMs), providers: providersArb }),
);

/** The hard filters restated from API.md, independently of the implementation. */
function passesHardFilters(p: ProviderSnapshot, t: RoutableTicket): boolean {
  const rank = (c: string) => DATA_CLEARANCES.indexOf(c as (typeof DATA_CLEARANCES)[number]);
  const proficiency = Object.entries(p.skills).find(([skill]) => skill === t.skill)?.[1];
  return (
    p.status === 'active' &&
    proficiency !== undefined &&
    proficiency >= t.minProficiency &&
    (!t.language || !p.languages || p.languages.includes(t.language)) &&
    rank(p.dataClearance) >= rank(t.dataClassification) &&
    (!t.dataRegion || !p.dataRegions || p.dataRegions.includes(t.dataRegion)) &&
    !(t.rejectedBy ?? []).includes(p.providerId) &&
    p.openItems < p.capacity
  );
}

const decide = (s: { nowMs: number; ticket: RoutableTicket; providers: ProviderSnapshot[] }) =>
  decideRoute({ ...s, policy: DEFAULT_ROUTING_POLICY, calendars: new CalendarCache() });

describe('routing properties', () => {
  it('never puts a provider that fails a hard filter in the order', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const byId = new Map(scenario.providers.map((p) => [p.providerId, p]));
        for (const id of decide(scenario).order)
          expect(passesHardFilters(byId.get(id)!, scenario.ticket)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('gives a provider that passes every hard filter no hard-filter reason', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const decision = decide(scenario);
        for (const p of scenario.providers.filter((provider) =>
          passesHardFilters(provider, scenario.ticket),
        )) {
          const candidate = decision.explanation.candidates.find((c) => c.providerId === p.providerId);
          expect(candidate?.reasons ?? []).toSatisfy((reasons: string[]) =>
            reasons.every((r) => r === 'cannot_meet_due'),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('lists every provider exactly once, the order first', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { order, explanation } = decide(scenario);
        const listed = explanation.candidates.map((c) => c.providerId);
        expect([...listed].sort()).toStrictEqual(scenario.providers.map((p) => p.providerId).sort());
        expect(listed.slice(0, order.length)).toStrictEqual(order);
        expect(explanation.providerId).toBe(order[0] ?? null);
      }),
      { numRuns: 200 },
    );
  });

  it('never predicts a completion before now', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const candidate of decide(scenario).explanation.candidates) {
          if (candidate.predictedCompletionAt !== undefined) {
            expect(Date.parse(candidate.predictedCompletionAt)).toBeGreaterThanOrEqual(scenario.nowMs);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('predicts a completion that never gets earlier as the backlog grows', () => {
    fc.assert(
      fc.property(
        nowArb,
        providerFieldsArb,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (nowMs, { load: _load, ...fields }, openItems, extra) => {
          // Forced through the hard filters, so only the backlog changes between the two decisions.
          const completionWith = (backlog: number) => {
            const p: ProviderSnapshot = {
              ...fields,
              providerId: 'p-0',
              status: 'active',
              skills: { billing: 5 },
              languages: undefined,
              dataClearance: 'restricted',
              dataRegions: undefined,
              capacity: 1000,
              openItems: backlog,
              version: 1,
              updatedAt: '2026-01-01T00:00:00.000Z',
            };
            const t: RoutableTicket = {
              ticketId: 'ticket-1',
              skill: 'billing',
              priority: 'P4',
              minProficiency: 1,
              dataClassification: 'internal',
              createdAt: new Date(nowMs).toISOString(),
              dueAt: new Date(nowMs + 3 * 86_400_000).toISOString(),
            };
            const at = decide({ nowMs, ticket: t, providers: [p] }).explanation.candidates[0]
              ?.predictedCompletionAt;
            // No completion within the horizon is later than any instant.
            return at === undefined ? Number.POSITIVE_INFINITY : Date.parse(at);
          };
          expect(completionWith(openItems + extra)).toBeGreaterThanOrEqual(completionWith(openItems));
        },
      ),
      { numRuns: 200 },
    );
  });
});
