// Business time (SLA clocks) against a brute-force oracle: step minute by minute in luxon, count the minutes
// whose local wall-clock time falls in a window of its local date, and stop at the Nth.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessSeconds,
  BusinessClock,
  businessSecondsBetween,
  type CalendarHours,
} from '../../shared/domain/calendar.js';
import { WEEKDAYS } from '../../shared/domain/schemas.js';

const MINUTE_MS = 60_000;
const ZONES = ['America/New_York', 'Asia/Kolkata', 'Australia/Sydney'] as const;

const toMinutes = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

const clock = (minute: number) =>
  minute === 1440
    ? '24:00'
    : `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * Window edges on the quarter hour, never strictly inside 01:00-03:00 local: there New York and Sydney
 * change their clocks, and a wall-clock edge that occurs twice or never is a rule (its first occurrence,
 * or later by the gap), not something a minute-stepping oracle can see.
 */
const EDGES = Array.from({ length: 97 }, (_, i) => i * 15).filter((minute) => minute <= 60 || minute >= 180);

const openMinutesPerWeek = (days: [string, string][][]) =>
  days.flat().reduce((sum, [start, end]) => sum + toMinutes(end) - toMinutes(start), 0);

/** Up to three disjoint windows a day, some days closed. */
const dayArb = fc.uniqueArray(fc.constantFrom(...EDGES), { minLength: 0, maxLength: 6 }).map((edges) => {
  const sorted = [...edges].sort((a, b) => a - b);
  const windows: [string, string][] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) windows.push([clock(sorted[i]!), clock(sorted[i + 1]!)]);
  return windows;
});

const hoursArb = (timeZone: string) =>
  fc
    .record({
      days: fc.array(dayArb, { minLength: 7, maxLength: 7 }),
      holidays: fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }),
    })
    .filter(({ days }) => openMinutesPerWeek(days) >= 600)
    .map(({ days, holidays }): CalendarHours => ({
      timeZone,
      businessHours: Object.fromEntries(WEEKDAYS.map((day, i) => [day, days[i]!])),
      holidays: holidays.map((offset) => DateTime.utc(2026, 1, 1).plus({ days: offset }).toISODate()!),
    }));

/** Any minute of 2026, so both DST changes of each zone are crossed. */
const startArb = fc
  .integer({ min: 0, max: 365 * 24 * 60 })
  .map((minute) => Date.parse('2026-01-01T00:00:00.000Z') + minute * MINUTE_MS);

/** Whether the minute starting at t is open: its local date is no holiday and its local time is in a window. */
function openMinute(hours: CalendarHours, tMs: number): boolean {
  const local = DateTime.fromMillis(tMs, { zone: hours.timeZone });
  if (hours.holidays?.includes(local.toISODate()!)) return false;
  const windows = hours.businessHours?.[WEEKDAYS[local.weekday - 1]!] ?? [];
  const minute = local.hour * 60 + local.minute;
  return windows.some(([start, end]) => minute >= toMinutes(start) && minute < toMinutes(end));
}

/** The oracle: the end of the Nth open minute after start. */
function oracleAdd(hours: CalendarHours, startMs: number, minutes: number): number {
  let counted = 0;
  let t = startMs;
  while (counted < minutes) {
    if (openMinute(hours, t)) counted++;
    t += MINUTE_MS;
    if (t - startMs > 200 * 24 * 60 * MINUTE_MS) throw new Error('oracle ran away');
  }
  // The clock stops at the end of the last open minute, not at the next opening.
  return t;
}

function oracleBetween(hours: CalendarHours, fromMs: number, toMs: number): number {
  let counted = 0;
  for (let t = fromMs; t < toMs; t += MINUTE_MS) if (openMinute(hours, t)) counted++;
  return counted * 60;
}

describe.each(ZONES)('business time in %s matches a minute-stepping luxon oracle', (zone) => {
  it('adds N business seconds window by window', () => {
    fc.assert(
      fc.property(
        hoursArb(zone),
        startArb,
        fc.integer({ min: 1, max: 2 * 24 * 60 }),
        (hours, startMs, minutes) => {
          // Fresh clocks: the cache must not hide a compile that covers the wrong span.
          const due = new BusinessClock(hours).addSeconds(startMs, minutes * 60);
          expect(due).toBe(oracleAdd(hours, startMs, minutes));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('counts business seconds between two instants', () => {
    fc.assert(
      fc.property(
        hoursArb(zone),
        startArb,
        fc.integer({ min: 0, max: 10 * 24 * 60 }),
        (hours, fromMs, spanMinutes) => {
          const toMs = fromMs + spanMinutes * MINUTE_MS;
          expect(new BusinessClock(hours).secondsBetween(fromMs, toMs)).toBe(
            oracleBetween(hours, fromMs, toMs),
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('long targets, beyond the 35 days providers compile', () => {
  it('a year of business seconds is the inverse of counting them, and adding is additive', () => {
    fc.assert(
      fc.property(
        hoursArb('America/New_York'),
        startArb,
        fc.integer({ min: 1, max: 366 * 86_400 }),
        fc.integer({ min: 0, max: 30 * 86_400 }),
        (hours, startMs, seconds, more) => {
          const due = addBusinessSeconds(hours, startMs, seconds);
          expect(due).not.toBeNull();
          expect(businessSecondsBetween(hours, startMs, due!)).toBe(seconds);
          expect(addBusinessSeconds(hours, due!, more)).toBe(
            addBusinessSeconds(hours, startMs, seconds + more),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('without business hours the clock is the calendar', () => {
    expect(addBusinessSeconds(undefined, 0, 90)).toBe(90_000);
    expect(addBusinessSeconds({ timeZone: 'Asia/Kolkata' }, 5, 366 * 86_400)).toBe(5 + 366 * 86_400_000);
  });

  it('the Friday example: one business day from Friday 16:55 New York is Monday 16:55, Tuesday after a Monday holiday', () => {
    const week = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']] as [string, string][]]),
    );
    const friday = Date.parse('2026-11-20T21:55:00.000Z');
    const hours: CalendarHours = { timeZone: 'America/New_York', businessHours: week };
    expect(new Date(addBusinessSeconds(hours, friday, 8 * 3600)!).toISOString()).toBe(
      '2026-11-23T21:55:00.000Z',
    );
    expect(
      new Date(addBusinessSeconds({ ...hours, holidays: ['2026-11-23'] }, friday, 8 * 3600)!).toISOString(),
    ).toBe('2026-11-24T21:55:00.000Z');
  });
});
