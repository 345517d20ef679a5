import { describe, expect, it } from 'vitest';
import {
  addOpenHours,
  CalendarCache,
  type CalendarHours,
  type CompiledCalendar,
  compileCalendar,
  isOpenAt,
  nextOpeningAt,
} from '../../shared/domain/calendar.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());

/** The compiled intervals that overlap [from, to), as ISO strings, for readable expectations. */
function openIntervals(cal: CompiledCalendar, from: string, to: string): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i < cal.startsMs.length; i++) {
    if (cal.endsMs[i]! > ms(from) && cal.startsMs[i]! < ms(to)) {
      result.push([iso(cal.startsMs[i]!)!, iso(cal.endsMs[i]!)!]);
    }
  }
  return result;
}

describe('a window is local wall-clock time, placed in UTC by its time zone', () => {
  describe.each<{ case: string; hours: CalendarHours; day: string; expected: string[]; realHours: number }>([
    {
      case: 'America/New_York spring-forward: 01:00-05:00 is 3 real hours',
      hours: { timeZone: 'America/New_York', businessHours: { sun: [['01:00', '05:00']] } },
      day: '2026-03-08',
      expected: ['2026-03-08T06:00:00.000Z', '2026-03-08T09:00:00.000Z'],
      realHours: 3,
    },
    {
      case: 'America/New_York fall-back: 01:00-05:00 is 5 real hours (01:00 is its first occurrence)',
      hours: { timeZone: 'America/New_York', businessHours: { sun: [['01:00', '05:00']] } },
      day: '2026-11-01',
      expected: ['2026-11-01T05:00:00.000Z', '2026-11-01T10:00:00.000Z'],
      realHours: 5,
    },
    {
      case: 'America/New_York spring-forward: a start inside the gap moves later by the gap (02:30 → 03:30 EDT)',
      hours: { timeZone: 'America/New_York', businessHours: { sun: [['02:30', '06:00']] } },
      day: '2026-03-08',
      expected: ['2026-03-08T07:30:00.000Z', '2026-03-08T10:00:00.000Z'],
      realHours: 2.5,
    },
    {
      case: 'Europe/London spring-forward: 00:00-04:00 is 3 real hours',
      hours: { timeZone: 'Europe/London', businessHours: { sun: [['00:00', '04:00']] } },
      day: '2026-03-29',
      expected: ['2026-03-29T00:00:00.000Z', '2026-03-29T03:00:00.000Z'],
      realHours: 3,
    },
    {
      case: 'Europe/London fall-back: 00:00-04:00 is 5 real hours, starting the evening before in UTC',
      hours: { timeZone: 'Europe/London', businessHours: { sun: [['00:00', '04:00']] } },
      day: '2026-10-25',
      expected: ['2026-10-24T23:00:00.000Z', '2026-10-25T04:00:00.000Z'],
      realHours: 5,
    },
    {
      case: 'Asia/Kolkata (+05:30): 09:00-18:00',
      hours: { timeZone: 'Asia/Kolkata', businessHours: { mon: [['09:00', '18:00']] } },
      day: '2026-03-02',
      expected: ['2026-03-02T03:30:00.000Z', '2026-03-02T12:30:00.000Z'],
      realHours: 9,
    },
    {
      case: 'Asia/Kathmandu (+05:45): 09:00-18:00',
      hours: { timeZone: 'Asia/Kathmandu', businessHours: { mon: [['09:00', '18:00']] } },
      day: '2026-03-02',
      expected: ['2026-03-02T03:15:00.000Z', '2026-03-02T12:15:00.000Z'],
      realHours: 9,
    },
    {
      case: 'Asia/Manila: a window ending at "24:00" ends at local midnight',
      hours: { timeZone: 'Asia/Manila', businessHours: { fri: [['18:00', '24:00']] } },
      day: '2026-12-18',
      expected: ['2026-12-18T10:00:00.000Z', '2026-12-18T16:00:00.000Z'],
      realHours: 6,
    },
  ])('$case', ({ hours, day, expected, realHours }) => {
    const cal = compileCalendar(hours, ms(`${day}T00:00:00.000Z`) - 3 * 86_400_000);
    const [start, end] = expected as [string, string];

    it('compiles to exactly that UTC interval around the day', () => {
      expect(openIntervals(cal, `${day}T00:00:00.000Z`, `${day}T23:59:59.999Z`)).toStrictEqual([
        [start, end],
      ]);
    });

    it('counts only the real hours of the window as open time', () => {
      expect(iso(addOpenHours(cal, ms(start), realHours))).toBe(end);
    });

    it('is open at its start and closed at its end', () => {
      expect([isOpenAt(cal, ms(start)), isOpenAt(cal, ms(end))]).toStrictEqual([true, false]);
    });
  });
});

describe('overnight coverage built from two windows', () => {
  const cal = compileCalendar(
    { timeZone: 'Asia/Manila', businessHours: { thu: [['22:00', '24:00']], fri: [['00:00', '06:00']] } },
    ms('2026-12-14T00:00:00.000Z'),
  );

  it('merges into one interval across local midnight', () => {
    expect(openIntervals(cal, '2026-12-17T00:00:00.000Z', '2026-12-19T00:00:00.000Z')).toStrictEqual([
      ['2026-12-17T14:00:00.000Z', '2026-12-17T22:00:00.000Z'],
    ]);
  });

  it('is open at local midnight', () => {
    expect(isOpenAt(cal, ms('2026-12-17T16:00:00.000Z'))).toBe(true);
  });
});

describe('a holiday closes the local day, not the UTC day', () => {
  const manila = compileCalendar(
    { timeZone: 'Asia/Manila', holidays: ['2026-12-25'] },
    ms('2026-12-20T00:00:00.000Z'),
  );

  it.each([
    { at: '2026-12-24T15:59:59.999Z', open: true, note: '23:59 on the 24th in Manila' },
    { at: '2026-12-24T16:00:00.000Z', open: false, note: 'midnight starting the 25th in Manila' },
    { at: '2026-12-25T15:59:59.999Z', open: false, note: 'still the 25th in Manila' },
    { at: '2026-12-25T16:00:00.000Z', open: true, note: 'the 26th in Manila, though still the 25th in UTC' },
  ])('at $at ($note) open is $open', ({ at, open }) => {
    expect(isOpenAt(manila, ms(at))).toBe(open);
  });

  it('opens again at the end of the local day', () => {
    expect(iso(nextOpeningAt(manila, ms('2026-12-25T03:00:00.000Z')))).toBe('2026-12-25T16:00:00.000Z');
  });
});

describe('a weekday calendar with a closed Wednesday (Asia/Tokyo, +09:00)', () => {
  const nineToFive = [['09:00', '17:00']] as [string, string][];
  const tokyo = compileCalendar(
    {
      timeZone: 'Asia/Tokyo',
      businessHours: { mon: nineToFive, tue: nineToFive, wed: [], thu: nineToFive, fri: nineToFive },
    },
    ms('2026-03-05T00:00:00.000Z'),
  );

  describe.each([
    {
      from: '2026-03-06T06:00:00.000Z',
      hours: 2,
      expected: '2026-03-06T08:00:00.000Z',
      note: 'Fri 15:00 + 2h ends at Fri close',
    },
    {
      from: '2026-03-06T06:00:00.000Z',
      hours: 12,
      expected: '2026-03-10T02:00:00.000Z',
      note: 'over the weekend to Tue 11:00',
    },
    {
      from: '2026-03-06T06:00:00.000Z',
      hours: 20,
      expected: '2026-03-12T02:00:00.000Z',
      note: 'over the weekend and Wed to Thu 11:00',
    },
    {
      from: '2026-03-07T03:00:00.000Z',
      hours: 1,
      expected: '2026-03-09T01:00:00.000Z',
      note: 'from Sat noon to Mon 10:00',
    },
    {
      from: '2026-03-07T03:00:00.000Z',
      hours: 0,
      expected: '2026-03-07T03:00:00.000Z',
      note: 'no hours is no time',
    },
  ])('addOpenHours($from, $hours)', ({ from, hours, expected, note }) => {
    it(`is ${expected}: ${note}`, () => {
      expect(iso(addOpenHours(tokyo, ms(from), hours))).toBe(expected);
    });
  });

  describe.each([
    { at: '2026-03-06T06:00:00.000Z', expected: '2026-03-06T06:00:00.000Z', note: 'open now: now' },
    {
      at: '2026-03-06T08:00:00.000Z',
      expected: '2026-03-09T00:00:00.000Z',
      note: 'Fri 17:00 closing: Mon 09:00',
    },
    {
      at: '2026-03-10T09:00:00.000Z',
      expected: '2026-03-12T00:00:00.000Z',
      note: 'Tue evening: Thu 09:00, past Wed',
    },
  ])('nextOpeningAt($at)', ({ at, expected, note }) => {
    it(`is ${expected}: ${note}`, () => {
      expect(iso(nextOpeningAt(tokyo, ms(at)))).toBe(expected);
    });
  });

  it('gives null when the hours would run past the horizon', () => {
    const shortHorizon = compileCalendar(
      { timeZone: 'Asia/Tokyo', businessHours: { mon: nineToFive } },
      ms('2026-03-05T00:00:00.000Z'),
      3,
    );
    expect(addOpenHours(shortHorizon, ms('2026-03-06T06:00:00.000Z'), 9)).toBeNull();
  });
});

describe('a calendar that never opens', () => {
  const never = compileCalendar(
    { timeZone: 'Europe/Paris', businessHours: { mon: [] } },
    ms('2026-03-02T00:00:00.000Z'),
  );

  it('is closed, has no next opening and cannot complete any work', () => {
    const t = ms('2026-03-02T10:00:00.000Z');
    expect([isOpenAt(never, t), nextOpeningAt(never, t), addOpenHours(never, t, 1)]).toStrictEqual([
      false,
      null,
      null,
    ]);
  });
});

describe('an always-open calendar (no business hours, no holidays)', () => {
  const always = compileCalendar({ timeZone: 'Asia/Manila' }, ms('2026-03-02T00:00:00.000Z'));
  const farAway = ms('2031-07-04T12:34:56.000Z');

  it('short-circuits every lookup, whatever the horizon', () => {
    expect({
      alwaysOpen: always.alwaysOpen,
      open: isOpenAt(always, farAway),
      next: nextOpeningAt(always, farAway),
      after90Minutes: iso(addOpenHours(always, farAway, 1.5)),
    }).toStrictEqual({
      alwaysOpen: true,
      open: true,
      next: farAway,
      after90Minutes: '2031-07-04T14:04:56.000Z',
    });
  });
});

describe('CalendarCache', () => {
  const provider = {
    providerId: 'acme-manila',
    version: 1,
    timeZone: 'Asia/Manila',
    businessHours: { mon: [['08:00', '20:00']] as [string, string][] },
  };
  const now = ms('2026-03-02T00:00:00.000Z');
  const day = 86_400_000;

  it('compiles a provider version once', () => {
    const cache = new CalendarCache();
    expect(cache.get(provider, now + day)).toBe(cache.get(provider, now));
  });

  it('recompiles when the provider version changes', () => {
    const cache = new CalendarCache();
    const first = cache.get(provider, now);
    const edited = cache.get({ ...provider, version: 2, businessHours: { mon: [['09:00', '10:00']] } }, now);
    expect(edited).not.toBe(first);
    expect(openIntervals(edited, '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z')).toStrictEqual([
      ['2026-03-02T01:00:00.000Z', '2026-03-02T02:00:00.000Z'],
    ]);
  });

  it.each([
    { case: 'fewer than minDaysAhead days of horizon remain', later: 6 * day },
    { case: 'now is before the compiled horizon', later: -2 * day },
  ])('recompiles when $case', ({ later }) => {
    const cache = new CalendarCache({ horizonDays: 10, minDaysAhead: 5 });
    const first = cache.get(provider, now);
    const second = cache.get(provider, now + later);
    expect(second.horizonStartMs).toBe(now + later - day);
    expect(second).not.toBe(first);
  });

  it('keeps one entry per provider id', () => {
    const cache = new CalendarCache();
    cache.get(provider, now);
    cache.get({ ...provider, version: 2 }, now);
    cache.get({ ...provider, providerId: 'other' }, now);
    expect(cache.size).toBe(2);
  });
});
