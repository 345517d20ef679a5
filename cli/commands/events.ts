// events tail: the local event log (JSON lines), like tail(1), optionally following it.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { paint } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';

interface TailOptions {
  follow?: boolean;
  lines: number;
  type?: string[];
  json?: boolean;
}

const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return number;
};

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
];

/** `ticket.queued`, or a pattern with `*` such as `ticket.sla_*`. */
export function typeMatcher(types: string[] | undefined): (type: unknown) => boolean {
  if (!types?.length) return () => true;
  const patterns = types.map(
    (type) => new RegExp(`^${type.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`),
  );
  return (type) => typeof type === 'string' && patterns.some((pattern) => pattern.test(type));
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const TYPE_STYLE: Record<string, Parameters<typeof paint>[0]> = {
  'ticket.completed': 'green',
  'ticket.sla_at_risk': 'yellow',
  'ticket.sla_breached': 'red',
  'ticket.parked': 'yellow',
  'ticket.rejected': 'magenta',
};

const SHOWN_APART = new Set(['id', 'type', 'at', 'ticketId']);

export function formatEvent(event: Record<string, unknown>): string {
  const type = String(event.type ?? '?');
  const rest = Object.entries(event)
    .filter(([name, value]) => !SHOWN_APART.has(name) && value !== null && value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const styled = TYPE_STYLE[type] ? paint(TYPE_STYLE[type], type.padEnd(24)) : type.padEnd(24);
  return [String(event.at ?? ''), styled, String(event.ticketId ?? '-'), rest].join('  ').trimEnd();
}

/** The last `count` lines that match, read backwards from `end` in chunks, so a long log costs little. */
export async function lastLines(
  file: string,
  end: number,
  count: number,
  matches: (line: string) => boolean,
): Promise<string[]> {
  if (count === 0 || end === 0) return [];
  const handle = await open(file, 'r');
  try {
    const found: string[] = [];
    let position = end;
    let carry = Buffer.alloc(0);
    const chunkSize = 64 * 1024;
    while (position > 0 && found.length < count) {
      const size = Math.min(chunkSize, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      let buffer = Buffer.concat([chunk, carry]);
      let newline = buffer.lastIndexOf(0x0a);
      // Whole lines are those after a newline; what precedes the first one waits for the next chunk.
      while (newline >= 0 && found.length < count) {
        const line = buffer.subarray(newline + 1).toString('utf8');
        if (line.trim() && matches(line)) found.push(line);
        buffer = buffer.subarray(0, newline);
        newline = buffer.lastIndexOf(0x0a);
      }
      carry = buffer;
    }
    if (position === 0 && found.length < count) {
      const line = carry.toString('utf8');
      if (line.trim() && matches(line)) found.push(line);
    }
    return found.reverse();
  } finally {
    await handle.close();
  }
}

const sizeOf = async (file: string) => {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function eventsCommand(): Command {
  const events = new Command('events').description('the local event log (what npm start publishes)');

  events
    .command('tail')
    .description('print the last events of the local event log; -f keeps printing new ones until Ctrl-C')
    .option('-f, --follow', 'keep printing events as they are written')
    .option('-n, --lines <count>', 'how many of the last events to print first', positiveInt, 10)
    .option(
      '--type <type>',
      'only events of this type (repeat or comma-separate; * matches any text)',
      collect,
    )
    .option('--json', 'print each event as its JSON line')
    .action(async (options: TailOptions, command: Command) => {
      const settings = settingsOf(command);
      const file = settings.runtime?.eventLogFile ?? join(settings.dataDir, 'events.jsonl');
      const wanted = typeMatcher(options.type);
      const matches = (line: string) => wanted(parseLine(line)?.type);
      const print = (line: string) => {
        const event = parseLine(line);
        if (!event) return;
        console.log(options.json ? line : formatEvent(event));
      };

      let offset = (await sizeOf(file)) ?? 0;
      if (offset === 0 && !options.follow) {
        console.error(`no events yet in ${file}`);
        return;
      }
      for (const line of await lastLines(file, offset, options.lines, matches)) print(line);
      if (!options.follow) return;

      console.error(paint('dim', `following ${file} (Ctrl-C to stop)`));
      let stopped = false;
      const stop = () => {
        stopped = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let partial = Buffer.alloc(0);
      while (!stopped) {
        const size = await sizeOf(file);
        if (size === undefined || size < offset) {
          // Removed or truncated (a fresh data directory): start again from its beginning.
          offset = 0;
          partial = Buffer.alloc(0);
        } else if (size > offset) {
          const bytes = Buffer.concat([partial, await readRange(file, offset, size)]);
          offset = size;
          // Only whole lines are decoded: a line still being written waits for its newline.
          const end = bytes.lastIndexOf(0x0a);
          partial = bytes.subarray(end + 1);
          if (end >= 0) {
            for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
              if (line.trim() && matches(line)) print(line);
            }
          }
        }
        await sleep(200);
      }
    });

  return events;
}
