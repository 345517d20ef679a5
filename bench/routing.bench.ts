// Routing decision benchmark: decisions per second and latency per decision at 10, 100 and 1,000
// providers, in one process after warm-up. Run: npx tsx bench/routing.bench.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { CalendarCache, isOpenAt } from '../shared/domain/calendar.js';
import { decideRoute } from '../shared/domain/routing.js';
import { STORED_CANDIDATES } from '../shared/use-cases/route-ticket.js';
import {
  DATA_CLEARANCES,
  DEFAULT_ROUTING_POLICY,
  DEFAULT_SLA_POLICY,
  PRIORITIES,
} from '../shared/domain/schemas.js';
import type { ProviderSnapshot, RoutableTicket } from '../shared/domain/types.js';
// Deterministic pseudo-random numbers (mulberry32), so every run measures the same work.
import { seededRandom as random } from '../shared/simulation/random.js';

// Wednesday noon UTC: evening in Asia, early morning in the Americas.
const START_MS = Date.parse('2026-03-04T12:00:00.000Z');
const SKILLS = ['billing', 'refunds', 'payroll', 'claims', 'data_entry'];
const SIZES = [
  { providers: 10, decisions: 50_000 },
  { providers: 100, decisions: 20_000 },
  { providers: 1000, decisions: 3_000 },
];
const WARM_UP_DECISIONS = 2_000;

type Hours = Pick<ProviderSnapshot, 'timeZone' | 'businessHours' | 'holidays'>;
const weekdays = (windows: [string, string][]) => ({
  mon: windows,
  tue: windows,
  wed: windows,
  thu: windows,
  fri: windows,
});

const OPEN_NOW: Hours[] = [
  { timeZone: 'Europe/Berlin' },
  {
    timeZone: 'Europe/London',
    businessHours: { ...weekdays([['08:00', '20:00']]), sat: [['09:00', '13:00']] },
  },
  { timeZone: 'America/New_York', businessHours: weekdays([['06:00', '22:00']]), holidays: ['2026-07-03'] },
  {
    timeZone: 'Asia/Kolkata',
    businessHours: weekdays([
      ['00:00', '02:00'],
      ['14:00', '24:00'],
    ]),
  },
];
const CLOSED_NOW: Hours[] = [
  { timeZone: 'Asia/Tokyo', businessHours: weekdays([['09:00', '17:00']]) },
  { timeZone: 'America/Los_Angeles', businessHours: weekdays([['09:00', '17:00']]) },
  {
    timeZone: 'Asia/Manila',
    businessHours: weekdays([['08:00', '18:00']]),
    holidays: ['2026-04-02', '2026-12-25'],
  },
];

function makeProviders(count: number, next: () => number): ProviderSnapshot[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const capacity = 20 + Math.floor(next() * 180);
    const skills = Object.fromEntries(
      [pick(SKILLS), pick(SKILLS)].map((skill) => [skill, 1 + Math.floor(next() * 5)]),
    );
    return {
      providerId: `provider-${String(i).padStart(4, '0')}`,
      status: next() < 0.05 ? 'paused' : 'active',
      ...(i % 3 === 0 ? pick(CLOSED_NOW) : pick(OPEN_NOW)),
      skills,
      languages: next() < 0.5 ? ['en', pick(['es', 'tl', 'hi', 'pt'])] : undefined,
      capacity,
      openItems: next() < 0.1 ? capacity : Math.floor(next() * capacity),
      throughputPerHour: 5 + next() * 45,
      costPerItem: 1 + next() * 4,
      qualityScore: 0.7 + next() * 0.3,
      dataClearance: pick(DATA_CLEARANCES.slice(1)),
      dataRegions: next() < 0.3 ? [pick(['US', 'EU', 'APAC'])] : undefined,
      allocationShare: next() < 0.5 ? next() : undefined,
      routedLast24h: Math.floor(next() * 500),
      version: 1,
      updatedAt: '2026-03-01T00:00:00.000Z',
    } satisfies ProviderSnapshot;
  });
}

function makeTicket(i: number, nowMs: number, next: () => number): RoutableTicket {
  const priority = PRIORITIES[Math.floor(next() * PRIORITIES.length)]!;
  return {
    ticketId: `ticket-${i}`,
    skill: SKILLS[Math.floor(next() * SKILLS.length)]!,
    priority,
    language: next() < 0.6 ? 'en' : undefined,
    minProficiency: 1 + Math.floor(next() * 3),
    dataClassification: next() < 0.8 ? 'internal' : 'confidential',
    dataRegion: next() < 0.2 ? 'US' : undefined,
    createdAt: new Date(nowMs).toISOString(),
    dueAt: new Date(nowMs + DEFAULT_SLA_POLICY.targets[priority] * 1000).toISOString(),
  };
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function run(providerCount: number, decisions: number) {
  const next = random(providerCount);
  const providers = makeProviders(providerCount, next);
  const calendars = new CalendarCache();
  const closedNow = providers.filter((p) => !isOpenAt(calendars.get(p, START_MS), START_MS)).length;
  const outcomes = { route: 0, park: 0, bestEffortLate: 0 };

  // One simulated second between decisions; the calendars stay valid for weeks of that.
  const inputFor = (i: number) => {
    const nowMs = START_MS + i * 1000;
    return {
      ticket: makeTicket(i, nowMs, next),
      providers,
      policy: DEFAULT_ROUTING_POLICY,
      nowMs,
      calendars,
      // As the router calls it: the explanation keeps the first 25 candidates.
      maxCandidates: STORED_CANDIDATES,
    };
  };
  for (let i = 0; i < WARM_UP_DECISIONS; i++) decideRoute(inputFor(i));

  // Only decideRoute is timed; making the ticket is not part of a decision.
  const micros = new Float64Array(decisions);
  let elapsedMs = 0;
  for (let i = 0; i < decisions; i++) {
    const input = inputFor(WARM_UP_DECISIONS + i);
    const before = performance.now();
    const decision = decideRoute(input);
    const tookMs = performance.now() - before;
    micros[i] = tookMs * 1000;
    elapsedMs += tookMs;
    outcomes[decision.outcome] += 1;
    if (decision.bestEffortLate) outcomes.bestEffortLate += 1;
  }
  micros.sort();
  return {
    providers: providerCount,
    closedNow,
    decisions,
    decisionsPerSecond: Math.round(decisions / (elapsedMs / 1000)),
    p50Us: round(percentile(micros, 50)),
    p95Us: round(percentile(micros, 95)),
    p99Us: round(percentile(micros, 99)),
    meanUs: round(micros.reduce((sum, x) => sum + x, 0) / decisions),
    outcomes,
  };
}

const results = SIZES.map(({ providers, decisions }) => run(providers, decisions));

const header = [
  'providers',
  'closed now',
  'decisions/s',
  'p50 µs',
  'p95 µs',
  'p99 µs',
  'mean µs',
  'route',
  'park',
  'late',
];
const rows = results.map((r) => [
  r.providers,
  r.closedNow,
  r.decisionsPerSecond,
  r.p50Us,
  r.p95Us,
  r.p99Us,
  r.meanUs,
  r.outcomes.route,
  r.outcomes.park,
  r.outcomes.bestEffortLate,
]);
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => String(row[c]).length)));
const line = (cells: (string | number)[]) =>
  cells.map((cell, c) => String(cell).padStart(widths[c]!)).join('  ');
console.log(line(header));
for (const row of rows) console.log(line(row));

const runAt = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/routing-${runAt.replaceAll(':', '-')}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ runAt, node: process.version, cpu: cpus()[0]?.model, warmUpDecisions: WARM_UP_DECISIONS, results }, null, 2)}\n`,
);
console.log(`\nwritten to ${file}`);
