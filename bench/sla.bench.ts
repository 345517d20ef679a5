// SLA due-time benchmark: 10,000 due times with business-hours targets up to a year (one New York
// weekday calendar with holidays, one Kolkata split-shift calendar, one Sydney calendar), computed in
// one process: cold (the first call compiles each calendar, grown to the span the targets need) and
// warm (the compiled calendars cached per policy, as the handlers keep them). Run: npm run bench:sla
import { performance } from 'node:perf_hooks';
import { BusinessClockCache, type CalendarHours } from '../shared/domain/calendar.js';
// Deterministic pseudo-random numbers (mulberry32), so every run measures the same work.
import { seededRandom as random } from '../shared/simulation/random.js';

const COUNT = 10_000;
const YEAR_S = 366 * 86_400;
const START_MS = Date.parse('2026-01-01T00:00:00.000Z');

const weekdays = (windows: [string, string][]) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, windows]));

const CALENDARS: CalendarHours[] = [
  {
    timeZone: 'America/New_York',
    businessHours: weekdays([['09:00', '17:00']]),
    holidays: ['2026-05-25', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25', '2027-01-01'],
  },
  {
    timeZone: 'Asia/Kolkata',
    businessHours: weekdays([
      ['09:30', '13:00'],
      ['14:00', '18:30'],
    ]),
  },
  {
    timeZone: 'Australia/Sydney',
    businessHours: { ...weekdays([['08:00', '18:00']]), sat: [['09:00', '12:00']] },
  },
];

function run(cache: BusinessClockCache, seed: number): { ms: number; checksum: number } {
  const next = random(seed);
  const cases = Array.from({ length: COUNT }, () => ({
    hours: CALENDARS[Math.floor(next() * CALENDARS.length)]!,
    startMs: START_MS + Math.floor(next() * 90 * 86_400_000),
    // Half short targets (minutes to days), half long ones (up to a year of business time).
    seconds: next() < 0.5 ? 60 + Math.floor(next() * 5 * 86_400) : Math.floor(next() * YEAR_S) + 1,
  }));
  let checksum = 0;
  const started = performance.now();
  for (const { hours, startMs, seconds } of cases)
    checksum += cache.get(hours).addSeconds(startMs, seconds) ?? 0;
  return { ms: performance.now() - started, checksum };
}

const cache = new BusinessClockCache();
const cold = run(cache, 1);
const warm = run(cache, 2);
const fmt = (ms: number) => `${ms.toFixed(1)} ms (${((ms * 1000) / COUNT).toFixed(2)} µs per due time)`;
console.log(`${COUNT.toLocaleString('en')} SLA due times, targets up to 366 business days, 3 calendars`);
console.log(`  cold (compiles included): ${fmt(cold.ms)}`);
console.log(`  warm (compiled, cached):  ${fmt(warm.ms)}`);
