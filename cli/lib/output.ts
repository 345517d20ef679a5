// Plain-text output: aligned tables, times, a little colour on a terminal.
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colour only when stdout is a terminal that wants it (styleText checks NO_COLOR, FORCE_COLOR and isTTY). */
export const paint = (style: Style, text: string) => styleText(style, text, { stream: process.stdout });

export interface TableOptions {
  /** Columns whose cells are right-aligned (numbers). */
  right?: number[];
  /** Styling applied after padding, so widths stay right. */
  style?: (row: number, column: number, cell: string) => Style | undefined;
  indent?: string;
}

export function table(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const right = new Set(options.right ?? []);
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const pad = (cell: string, column: number) =>
    right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0);
  const line = (cells: string[], rowIndex: number) =>
    (options.indent ?? '') +
    cells
      .map((cell, column) => {
        const padded = pad(cell, column);
        const style = rowIndex < 0 ? 'bold' : options.style?.(rowIndex, column, cell);
        return style ? paint(style, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, -1), ...rows.map((row, index) => line(row, index))].join('\n');
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** "in 3h 12m" / "5m ago", for an ISO instant relative to now. */
export function relative(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - nowMs;
  if (Number.isNaN(ms)) return '';
  const text = duration(Math.abs(ms));
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** An ISO instant, shortened for tables: 2026-11-22 14:05:00Z. */
export const shortTime = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-';

export const fixed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;

export const plural = (count: number, noun: string, nouns = `${noun}s`) =>
  `${count} ${count === 1 ? noun : nouns}`;
