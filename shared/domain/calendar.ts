// Business-hours calendars compiled into sorted UTC intervals, so the routing hot path only compares numbers.
import { DateTime, IANAZone } from 'luxon';
import { type ProviderInput, WEEKDAYS } from './schemas.js';

export type CalendarHours = Pick<ProviderInput, 'timeZone' | 'businessHours' | 'holidays'>;

/** What a cache needs to know about whose calendar it holds. */
export interface CalendarOwner extends CalendarHours {
  providerId: string;
  version: number;
}

export interface CompiledCalendar {
  /** Open intervals [startsMs[i], endsMs[i]): sorted, merged (no two touch), clipped to the horizon. */
  readonly startsMs: Float64Array;
  readonly endsMs: Float64Array;
  /** Open time before interval i, so "n open hours after t" is a binary search too. */
  readonly openBeforeMs: Float64Array;
  /** The interval covered; outside it nothing is known and lookups answer closed / null. */
  readonly horizonStartMs: number;
  readonly horizonEndMs: number;
  /** No business hours and no holidays: every lookup short-circuits. */
  readonly alwaysOpen: boolean;
}

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTES_PER_DAY = 24 * 60;
export const DEFAULT_HORIZON_DAYS = 35;
/** The latest instant a JavaScript Date represents. */
const MAX_INSTANT_MS = 8.64e15;

const ALWAYS_OPEN: CompiledCalendar = {
  startsMs: new Float64Array(0),
  endsMs: new Float64Array(0),
  openBeforeMs: new Float64Array(0),
  horizonStartMs: Number.NEGATIVE_INFINITY,
  horizonEndMs: Number.POSITIVE_INFINITY,
  alwaysOpen: true,
};

type MinuteWindow = readonly [startMinute: number, endMinute: number];

const toMinutes = (clock: string): number => {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/** Index 0 = Monday, matching luxon's weekday 1..7. Omitted hours mean open all day, every day. */
function windowsByWeekday(businessHours: CalendarHours['businessHours']): MinuteWindow[][] {
  return WEEKDAYS.map((day) =>
    businessHours
      ? (businessHours[day] ?? []).map(([start, end]): MinuteWindow => [toMinutes(start), toMinutes(end)])
      : [[0, MINUTES_PER_DAY]],
  );
}

/**
 * The instant a local wall-clock time names, with the disambiguation of Temporal's 'compatible' mode
 * (and java.time): a time that occurs twice (fall-back) is its first occurrence, a time that never
 * occurs (spring-forward gap) is moved later by the length of the gap, as luxon does.
 */
function localInstant(date: DateTime, minute: number, zone: IANAZone, transitionDay: boolean): number {
  const day = minute === MINUTES_PER_DAY ? date.plus({ days: 1 }) : date;
  const local = DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Math.floor((minute % MINUTES_PER_DAY) / 60),
      minute: minute % 60,
    },
    { zone },
  );
  if (!transitionDay) return local.toMillis();
  // luxon picks the later offset for an ambiguous time; only DST days pay for asking for all of them.
  return Math.min(...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
}

const startOfLocalDay = (date: DateTime, zone: IANAZone) =>
  DateTime.fromObject({ year: date.year, month: date.month, day: date.day }, { zone });

/** Local dates are walked as plain dates (UTC, no offsets); only the windows are placed in the zone. */
function localDate(instantMs: number, zone: IANAZone): DateTime {
  const local = DateTime.fromMillis(instantMs, { zone });
  return DateTime.utc(local.year, local.month, local.day);
}

function mergeIntervals(intervals: [number, number][]): { starts: number[]; ends: number[] } {
  intervals.sort((a, b) => a[0] - b[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [start, end] of intervals) {
    const last = ends.length - 1;
    // Touching windows (thu 22:00-24:00 then fri 00:00-06:00) become one interval.
    if (last >= 0 && start <= ends[last]!) ends[last] = Math.max(ends[last]!, end);
    else {
      starts.push(start);
      ends.push(end);
    }
  }
  return { starts, ends };
}

export function compileCalendar(
  hours: CalendarHours,
  fromMs: number,
  horizonDays: number = DEFAULT_HORIZON_DAYS,
): CompiledCalendar {
  const holidays = new Set(hours.holidays ?? []);
  if (!hours.businessHours && holidays.size === 0) return ALWAYS_OPEN;
  const zone = IANAZone.create(hours.timeZone);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${hours.timeZone}`);

  // A day back, so a ticket decided a moment ago still finds the interval it started in.
  const horizonStartMs = fromMs - DAY_MS;
  const horizonEndMs = fromMs + horizonDays * DAY_MS;
  const windows = windowsByWeekday(hours.businessHours);
  const intervals: [number, number][] = [];
  const lastDate = localDate(horizonEndMs, zone).plus({ days: 1 });

  // Start a local day early: that day's late windows may reach into the horizon. Local dates are walked
  // as UTC midnights; luxon is asked only about days near a change of offset (long SLA horizons compile
  // years of days).
  const firstDate = localDate(horizonStartMs, zone).minus({ days: 1 });
  const lastDayMs = lastDate.toMillis();
  for (let dayMs = firstDate.toMillis(); dayMs <= lastDayMs; dayMs += DAY_MS) {
    const day = new Date(dayMs);
    const dayWindows = windows[(day.getUTCDay() + 6) % 7] ?? [];
    if (dayWindows.length === 0) continue;
    if (holidays.size > 0 && holidays.has(day.toISOString().slice(0, 10))) continue;
    // Every offset lies within -14 h..+14 h: one offset on both sides of the local day means none changes in it.
    const offsetMinutes = zone.offset(dayMs - 15 * HOUR_MS);
    const steady = zone.offset(dayMs + DAY_MS + 15 * HOUR_MS) === offsetMinutes;
    const date = steady
      ? undefined
      : DateTime.utc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate());
    const transitionDay =
      date !== undefined &&
      startOfLocalDay(date, zone).offset !== startOfLocalDay(date.plus({ days: 1 }), zone).offset;
    for (const [startMinute, endMinute] of dayWindows) {
      const startAt = date
        ? localInstant(date, startMinute, zone, transitionDay)
        : dayMs + (startMinute - offsetMinutes) * 60_000;
      const endAt = date
        ? localInstant(date, endMinute, zone, transitionDay)
        : dayMs + (endMinute - offsetMinutes) * 60_000;
      const start = Math.max(startAt, horizonStartMs);
      const end = Math.min(endAt, horizonEndMs);
      if (start < end) intervals.push([start, end]);
    }
  }

  const { starts, ends } = mergeIntervals(intervals);
  const openBeforeMs = new Float64Array(starts.length);
  for (let i = 1; i < starts.length; i++)
    openBeforeMs[i] = openBeforeMs[i - 1]! + ends[i - 1]! - starts[i - 1]!;
  return {
    startsMs: Float64Array.from(starts),
    endsMs: Float64Array.from(ends),
    openBeforeMs,
    horizonStartMs,
    horizonEndMs,
    alwaysOpen: false,
  };
}

/** Index of the last interval starting at or before t, or -1. */
function lastStartAtOrBefore(cal: CompiledCalendar, tMs: number): number {
  let low = 0;
  let high = cal.startsMs.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (cal.startsMs[mid]! <= tMs) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

const withinHorizon = (cal: CompiledCalendar, tMs: number) =>
  tMs >= cal.horizonStartMs && tMs <= cal.horizonEndMs;

export function isOpenAt(cal: CompiledCalendar, tMs: number): boolean {
  if (cal.alwaysOpen) return true;
  const i = lastStartAtOrBefore(cal, tMs);
  return i >= 0 && tMs < cal.endsMs[i]!;
}

/** t itself when open; null when no opening is known within the horizon. */
export function nextOpeningAt(cal: CompiledCalendar, tMs: number): number | null {
  if (cal.alwaysOpen) return tMs;
  if (!withinHorizon(cal, tMs)) return null;
  const i = lastStartAtOrBefore(cal, tMs);
  if (i >= 0 && tMs < cal.endsMs[i]!) return tMs;
  return i + 1 < cal.startsMs.length ? cal.startsMs[i + 1]! : null;
}

/** Open time in the calendar between the horizon start and t. */
function openTimeBefore(cal: CompiledCalendar, tMs: number): number {
  const i = lastStartAtOrBefore(cal, tMs);
  if (i < 0) return 0;
  return cal.openBeforeMs[i]! + Math.min(tMs - cal.startsMs[i]!, cal.endsMs[i]! - cal.startsMs[i]!);
}

/** Open time in the calendar before t: addOpenHours from one instant, many times over, looks it up once. */
export const openMsBefore = (cal: CompiledCalendar, tMs: number): number =>
  cal.alwaysOpen ? 0 : openTimeBefore(cal, tMs);

/** The check addOpenHours makes of the hours it is given. */
export function assertOpenHours(hours: number): void {
  if (!(hours >= 0)) throw new RangeError(`open hours must be a non-negative number, got ${hours}`);
}

/**
 * The instant at which `hours` open hours have elapsed after t; null beyond the horizon. `openBeforeMs`
 * is openMsBefore(cal, t) when the caller has it already.
 */
export function addOpenHours(
  cal: CompiledCalendar,
  tMs: number,
  hours: number,
  openBeforeMs?: number,
): number | null {
  assertOpenHours(hours);
  return addOpenMs(cal, tMs, hours * HOUR_MS, openBeforeMs);
}

/** addOpenHours in milliseconds (exact for whole seconds: no division by an hour). */
function addOpenMs(cal: CompiledCalendar, tMs: number, openMs: number, openBeforeMs?: number): number | null {
  if (cal.alwaysOpen) {
    // Past the last instant a Date can hold (a throughput near zero): no known time, as beyond a horizon.
    const at = tMs + openMs;
    return at <= MAX_INSTANT_MS ? at : null;
  }
  if (!withinHorizon(cal, tMs)) return null;
  if (openMs === 0) return tMs;
  const target = (openBeforeMs ?? openTimeBefore(cal, tMs)) + openMs;
  // First interval whose end brings the open time to the target: the work finishes inside it.
  let low = 0;
  let high = cal.startsMs.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (cal.openBeforeMs[mid]! + cal.endsMs[mid]! - cal.startsMs[mid]! >= target) {
      found = mid;
      high = mid - 1;
    } else low = mid + 1;
  }
  return found < 0 ? null : cal.startsMs[found]! + (target - cal.openBeforeMs[found]!);
}

/**
 * Open hours between two instants (negative when `toMs` is earlier): slack counted in the provider's own
 * time, so a 20-minute overrun at closing time shows as the night it really costs. Null beyond the horizon.
 */
export function openHoursBetween(cal: CompiledCalendar, fromMs: number, toMs: number): number | null {
  if (cal.alwaysOpen) return (toMs - fromMs) / HOUR_MS;
  if (!withinHorizon(cal, fromMs) || !withinHorizon(cal, toMs)) return null;
  return (openTimeBefore(cal, toMs) - openTimeBefore(cal, fromMs)) / HOUR_MS;
}

export interface CalendarCacheOptions {
  horizonDays?: number;
  /** Recompile once fewer than this many days of horizon remain ahead of now (default 80% of it). */
  minDaysAhead?: number;
}

/**
 * What CalendarCache.getRemembered keeps for one provider object: the calendar get() last gave for it,
 * and what must still hold for get() to give it again.
 */
export class CalendarSlot {
  cache: CalendarCache | undefined = undefined;
  /** The cache's count of compiles when the answer was given: any compile since may have replaced it. */
  compiles = -1;
  version = Number.NaN;
  calendar: CompiledCalendar = ALWAYS_OPEN;
  /** get() keeps its answer for instants in [reusableFromMs, reusableUntilMs]. */
  reusableFromMs = Number.NaN;
  reusableUntilMs = Number.NaN;
}

/** Compiled calendars per provider id and version; compiling is slow (luxon), looking up is not. */
export class CalendarCache {
  readonly #entries = new Map<string, { version: number; calendar: CompiledCalendar }>();
  readonly #horizonDays: number;
  readonly #minAheadMs: number;
  /** Entries set so far: while it stays the same, every get() answers as it did. */
  #compiles = 0;

  constructor(options: CalendarCacheOptions = {}) {
    this.#horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS;
    this.#minAheadMs = (options.minDaysAhead ?? this.#horizonDays * 0.8) * DAY_MS;
  }

  get(provider: CalendarOwner, nowMs: number): CompiledCalendar {
    const entry = this.#entries.get(provider.providerId);
    if (
      entry &&
      entry.version === provider.version &&
      nowMs >= entry.calendar.horizonStartMs &&
      nowMs <= entry.calendar.horizonEndMs - this.#minAheadMs
    ) {
      return entry.calendar;
    }
    const calendar = this.#compile(provider, nowMs);
    this.#entries.set(provider.providerId, { version: provider.version, calendar });
    this.#compiles++;
    return calendar;
  }

  /**
   * get(), for a caller that asks about the same provider objects decision after decision (the router):
   * `slot`, kept by the caller per provider object, remembers get()'s answer, which stays its answer while
   * this cache has set no entry since and the version and the instant still fit, so the lookup by id is
   * skipped. Same answers as get(), same compiles.
   */
  getRemembered(provider: CalendarOwner, nowMs: number, slot: CalendarSlot): CompiledCalendar {
    if (
      slot.cache === this &&
      slot.compiles === this.#compiles &&
      slot.version === provider.version &&
      nowMs >= slot.reusableFromMs &&
      nowMs <= slot.reusableUntilMs
    ) {
      return slot.calendar;
    }
    const calendar = this.get(provider, nowMs);
    slot.cache = this;
    slot.compiles = this.#compiles;
    slot.version = provider.version;
    slot.calendar = calendar;
    // get()'s own test, term for term.
    slot.reusableFromMs = calendar.horizonStartMs;
    slot.reusableUntilMs = calendar.horizonEndMs - this.#minAheadMs;
    return calendar;
  }

  /** Calendars compiled at this instant, by their hours: providers with the same hours share one. */
  #compiledAt = { nowMs: Number.NaN, byHours: new Map<string, CompiledCalendar>() };

  /**
   * The same hours compiled from the same instant give the same calendar, so providers that share hours
   * share its object: fewer compiles, and a decision over many providers reads a few calendars that stay
   * in the processor's cache. (Providers are compiled together: at start and when their horizons run out.)
   */
  #compile(hours: CalendarHours, nowMs: number): CompiledCalendar {
    if (this.#compiledAt.nowMs !== nowMs) this.#compiledAt = { nowMs, byHours: new Map() };
    const key = JSON.stringify([hours.timeZone, hours.businessHours ?? null, hours.holidays ?? null]);
    let calendar = this.#compiledAt.byHours.get(key);
    if (!calendar) {
      calendar = compileCalendar(hours, nowMs, this.#horizonDays);
      this.#compiledAt.byHours.set(key, calendar);
    }
    return calendar;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** SLA clocks run for at most this long in calendar time; a target further away than that is refused. */
export const MAX_CLOCK_SPAN_DAYS = 366 * 30;
const SECOND_MS = 1000;

/**
 * Business time for SLA clocks, in the same compiled intervals as providers' hours: a calendar compiled
 * from `hours`, grown (doubling its span, so growth is paid a logarithmic number of times) whenever an
 * instant or a target reaches past it, so a one-year target in an 8-hours-a-weekday calendar (four
 * calendar years) costs one compile and then two binary searches, never a walk minute by minute.
 */
export class BusinessClock {
  readonly hours: CalendarHours;
  #calendar: CompiledCalendar | undefined;
  /** The instant the calendar was compiled from (its horizon starts a day earlier). */
  #fromMs = Number.POSITIVE_INFINITY;

  constructor(hours: CalendarHours) {
    this.hours = hours;
  }

  /**
   * Compile so that [fromMs, toMs] lies inside the horizon: an earlier instant moves the start a month
   * further back, a later one at least doubles the span, so a run of calls compiles a few times at most.
   */
  #cover(fromMs: number, toMs: number): CompiledCalendar {
    const cal = this.#calendar;
    if (cal && fromMs >= cal.horizonStartMs && toMs <= cal.horizonEndMs) return cal;
    let startMs = fromMs;
    let endMs = toMs;
    if (cal) {
      startMs = fromMs < this.#fromMs ? fromMs - 30 * DAY_MS : this.#fromMs;
      endMs =
        toMs > cal.horizonEndMs
          ? Math.max(toMs, startMs + (cal.horizonEndMs - startMs) * 2)
          : Math.max(toMs, cal.horizonEndMs);
    }
    const neededDays = Math.ceil((toMs - Math.min(fromMs, startMs)) / DAY_MS) + 1;
    if (neededDays > MAX_CLOCK_SPAN_DAYS + 60)
      throw new RangeError(`a business clock spans at most ${MAX_CLOCK_SPAN_DAYS} days`);
    const days = Math.min(
      Math.max(DEFAULT_HORIZON_DAYS, Math.ceil((endMs - startMs) / DAY_MS) + 1),
      MAX_CLOCK_SPAN_DAYS + 60,
    );
    const compiled = compileCalendar(this.hours, startMs, days);
    this.#calendar = compiled;
    this.#fromMs = startMs;
    const n = compiled.startsMs.length;
    const openMs = n
      ? compiled.openBeforeMs[n - 1]! + compiled.endsMs[n - 1]! - compiled.startsMs[n - 1]!
      : 0;
    // Open share of calendar time, to guess how far a target reaches (at least 1 %: a guess, not a limit).
    this.#openShare = compiled.alwaysOpen
      ? 1
      : Math.max(0.01, openMs / (compiled.horizonEndMs - compiled.horizonStartMs));
    return compiled;
  }

  #openShare = 1;

  /**
   * The instant at which `seconds` business seconds have elapsed after `startMs` (a start outside the
   * windows counts from the next opening). Null when that is more than MAX_CLOCK_SPAN_DAYS away.
   */
  addSeconds(startMs: number, seconds: number): number | null {
    if (!(seconds >= 0)) throw new RangeError(`business seconds must be non-negative, got ${seconds}`);
    const limitMs = startMs + MAX_CLOCK_SPAN_DAYS * DAY_MS;
    let cal = this.#calendar;
    if (cal && startMs >= cal.horizonStartMs && startMs <= cal.horizonEndMs) {
      const at = addOpenMs(cal, startMs, seconds * SECOND_MS);
      if (at !== null) return at;
    }
    // Beyond what is compiled: guess the reach from the open share (plus two weeks), then double.
    let reachMs = (seconds * SECOND_MS) / this.#openShare + 14 * DAY_MS;
    for (;;) {
      const toMs = Math.min(startMs + reachMs, limitMs);
      try {
        cal = this.#cover(startMs, toMs);
      } catch {
        return null;
      }
      const at = addOpenMs(cal, startMs, seconds * SECOND_MS);
      if (at !== null) return at;
      if (toMs >= limitMs) return null;
      reachMs = Math.max(reachMs * 2, (seconds * SECOND_MS) / this.#openShare + 14 * DAY_MS);
    }
  }

  /** Business seconds in [fromMs, toMs] (negative when toMs is earlier). */
  secondsBetween(fromMs: number, toMs: number): number {
    const cal = this.#cover(Math.min(fromMs, toMs), Math.max(fromMs, toMs));
    if (cal.alwaysOpen) return (toMs - fromMs) / SECOND_MS;
    return (openTimeBefore(cal, toMs) - openTimeBefore(cal, fromMs)) / SECOND_MS;
  }

  /** Whether the clock runs at t. */
  isRunningAt(tMs: number): boolean {
    return isOpenAt(this.#cover(tMs, tMs), tMs);
  }
}

/** Business clocks per calendar (its JSON text is the key: the same hours always share one compile). */
export class BusinessClockCache {
  readonly #clocks = new Map<string, BusinessClock>();
  readonly #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  get(hours: CalendarHours): BusinessClock {
    const key = JSON.stringify([hours.timeZone, hours.businessHours ?? null, hours.holidays ?? []]);
    let clock = this.#clocks.get(key);
    if (!clock) {
      if (this.#clocks.size >= this.#limit) this.#clocks.clear();
      clock = new BusinessClock(hours);
      this.#clocks.set(key, clock);
    }
    return clock;
  }
}

/** One cache per process for SLA clocks. */
export const businessClocks = new BusinessClockCache();

/** N business seconds after startMs in `hours` (calendar seconds without hours). */
export const addBusinessSeconds = (hours: CalendarHours | undefined, startMs: number, seconds: number) =>
  hours ? businessClocks.get(hours).addSeconds(startMs, seconds) : startMs + seconds * SECOND_MS;

/** Business seconds between two instants in `hours` (calendar seconds without hours). */
export const businessSecondsBetween = (hours: CalendarHours | undefined, fromMs: number, toMs: number) =>
  hours ? businessClocks.get(hours).secondsBetween(fromMs, toMs) : (toMs - fromMs) / SECOND_MS;
