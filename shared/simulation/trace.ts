// Reads a work-item trace (CSV text) into the simulator's tickets. Any layout: the columns are found by
// name, and `map` renames them (NYC 311: createdAt = "Created Date", skill = "Complaint Type").
import { parse } from 'csv-parse/sync';
import { DateTime, IANAZone } from 'luxon';
import { DATA_CLEARANCES, MAX_EFFORT, PRIORITIES } from '../domain/schemas.js';
import type { DataClearance, Priority } from '../domain/types.js';
import { uniformAt } from './random.js';
import type { TraceTicket } from './types.js';

export const TRACE_FIELDS = [
  'createdAt',
  'priority',
  'skill',
  'dueAt',
  'language',
  'dataClassification',
  'workMinutes',
  'effort',
] as const;
export type TraceField = (typeof TRACE_FIELDS)[number];
const REQUIRED_FIELDS: readonly TraceField[] = ['createdAt', 'skill'];

export type PriorityMix = Record<Priority, number>;
export const DEFAULT_PRIORITY_MIX: PriorityMix = { P1: 0.05, P2: 0.15, P3: 0.4, P4: 0.4 };

export interface TraceOptions {
  /** The zone of date-times written without an offset (`3/14/2025 1:20`, `2022-01-21 13:47:00`). Default UTC. */
  tz?: string;
  /** Column names of this CSV for the fields it names; the others keep their own names. */
  map?: Partial<Record<TraceField, string>>;
  /** Shares of P1..P4 drawn for rows without a priority (no column, or a blank cell). */
  priorityMix?: Partial<PriorityMix>;
  /** Seed of those draws; each row's draw depends only on the seed and the row. Default 1. */
  seed?: number;
}

/** A trace that cannot be read; the message is one line and names the line of the CSV where it can. */
export class TraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

// M/d/yyyy H:mm[:ss][ AM|PM], as US spreadsheets and NYC Open Data write them.
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** Epoch ms of a date-time, local ones read in `zone` by luxon (DST included); NaN when unreadable. */
export function parseDateTime(text: string, zone: IANAZone): number {
  const value = text.trim();
  if (ISO_DATE.test(value)) {
    const parsed = value.includes('T')
      ? DateTime.fromISO(value, { zone })
      : DateTime.fromSQL(value, { zone });
    return parsed.isValid ? parsed.toMillis() : Number.NaN;
  }
  const us = US_DATE_TIME.exec(value);
  if (!us) return Number.NaN;
  const [, month, day, year, hourText = '0', minute = '0', second = '0', meridiem] = us;
  let hour = Number(hourText);
  if (meridiem) {
    if (hour < 1 || hour > 12) return Number.NaN;
    hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
  }
  const parsed = DateTime.fromObject(
    {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour,
      minute: Number(minute),
      second: Number(second),
    },
    { zone },
  );
  return parsed.isValid ? parsed.toMillis() : Number.NaN;
}

function normalisedMix(mix: Partial<PriorityMix>): number[] {
  const weights = PRIORITIES.map((priority) => mix[priority] ?? 0);
  if (weights.some((weight) => !(weight >= 0) || !Number.isFinite(weight)))
    throw new TraceError('priority mix: shares must be non-negative numbers');
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (!(total > 0)) throw new TraceError('priority mix: the shares add up to 0');
  let cumulative = 0;
  return weights.map((weight) => (cumulative += weight / total));
}

/** Its own stream: the engine draws work from uniformAt(seed, index), and seeds are often alike (1, 2, 3). */
const PRIORITY_STREAM = 0x5bd1e995;

function drawPriority(cumulative: number[], seed: number, row: number): Priority {
  const draw = uniformAt(seed ^ PRIORITY_STREAM, row);
  const index = cumulative.findIndex((bound) => draw < bound);
  return PRIORITIES[index < 0 ? PRIORITIES.length - 1 : index]!;
}

function readPriority(text: string): Priority | undefined {
  const match = /^[Pp]?([1-4])$/.exec(text.trim());
  return match ? (`P${match[1]}` as Priority) : undefined;
}

/** Column index per field: the exact name first, else the one name that differs only in case. */
function locateColumns(header: string[], map: TraceOptions['map'] = {}): Partial<Record<TraceField, number>> {
  for (const field of Object.keys(map)) {
    if (!(TRACE_FIELDS as readonly string[]).includes(field))
      throw new TraceError(`map: unknown field "${field}" (fields: ${TRACE_FIELDS.join(', ')})`);
  }
  const names = header.map((name) => name.trim());
  const columns: Partial<Record<TraceField, number>> = {};
  for (const field of TRACE_FIELDS) {
    const wanted = map[field] ?? field;
    let index = names.indexOf(wanted);
    if (index < 0) {
      const folded = names.flatMap((name, at) => (name.toLowerCase() === wanted.toLowerCase() ? [at] : []));
      if (folded.length === 1) index = folded[0]!;
    }
    if (index >= 0) columns[field] = index;
    // A column asked for by name, or one every trace needs, must exist.
    else if (map[field] !== undefined || REQUIRED_FIELDS.includes(field)) {
      throw new TraceError(
        `unknown column "${wanted}" for ${field}; the CSV has: ${names.map((name) => JSON.stringify(name)).join(', ')}`,
      );
    }
  }
  return columns;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

function readCsv(text: string): CsvRow[] {
  try {
    return parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as CsvRow[];
  } catch (error) {
    throw new TraceError(`not a readable CSV: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The trace's tickets, sorted by createdMs (rows with equal times keep file order). Rows whose created
 * date is blank are skipped; any other unreadable value stops with an error naming its line.
 */
export function parseTrace(text: string, options: TraceOptions = {}): TraceTicket[] {
  const zone = IANAZone.create(options.tz ?? 'UTC');
  if (!zone.isValid) throw new TraceError(`unknown time zone: ${options.tz}`);
  const mix = normalisedMix(options.priorityMix ?? DEFAULT_PRIORITY_MIX);
  const seed = options.seed ?? 1;
  const [header, ...rows] = readCsv(text);
  if (!header) throw new TraceError('the CSV is empty');
  const columns = locateColumns(header.record, options.map);
  const cell = (record: string[], field: TraceField): string => {
    const index = columns[field];
    return index === undefined ? '' : (record[index] ?? '').trim();
  };
  const name = (field: TraceField) => header.record[columns[field]!]!.trim();

  const tickets: TraceTicket[] = [];
  rows.forEach(({ record, info }, row) => {
    const where = `line ${info.lines}`;
    const created = cell(record, 'createdAt');
    if (!created) return;
    const createdMs = parseDateTime(created, zone);
    if (Number.isNaN(createdMs))
      throw new TraceError(`${where}: ${name('createdAt')} "${created}" is not a date-time`);

    const skill = cell(record, 'skill');
    if (!skill) throw new TraceError(`${where}: ${name('skill')} is empty`);

    const priorityText = cell(record, 'priority');
    const priority = priorityText ? readPriority(priorityText) : drawPriority(mix, seed, row);
    if (!priority)
      throw new TraceError(`${where}: ${name('priority')} "${priorityText}" is not P1, P2, P3 or P4`);

    const ticket: TraceTicket = { createdMs, priority, skill };
    const due = cell(record, 'dueAt');
    if (due) {
      ticket.dueMs = parseDateTime(due, zone);
      if (Number.isNaN(ticket.dueMs))
        throw new TraceError(`${where}: ${name('dueAt')} "${due}" is not a date-time`);
    }
    const language = cell(record, 'language');
    if (language) ticket.language = language;
    const clearance = cell(record, 'dataClassification');
    if (clearance) {
      if (!(DATA_CLEARANCES as readonly string[]).includes(clearance))
        throw new TraceError(
          `${where}: ${name('dataClassification')} "${clearance}" is not one of ${DATA_CLEARANCES.join(', ')}`,
        );
      ticket.dataClassification = clearance as DataClearance;
    }
    const work = cell(record, 'workMinutes');
    if (work) {
      const minutes = Number(work);
      if (!(minutes >= 0) || !Number.isFinite(minutes))
        throw new TraceError(`${where}: ${name('workMinutes')} "${work}" is not a number of minutes`);
      ticket.workMinutes = minutes;
    }
    const effort = cell(record, 'effort');
    if (effort) {
      const units = Number(effort);
      if (!Number.isInteger(units) || units < 1 || units > MAX_EFFORT)
        throw new TraceError(`${where}: ${name('effort')} "${effort}" is not a whole number 1-${MAX_EFFORT}`);
      ticket.effort = units;
    }
    tickets.push(ticket);
  });
  return tickets.sort((a, b) => a.createdMs - b.createdMs);
}
