// The per-function access table against the handlers that exist.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS, accessOf } from '../../infra/constructs/access.js';
import { ROUTES } from '../../infra/routes.js';

const FUNCTIONS = new URL('../../functions/', import.meta.url);
const WORKERS = [
  'auth/authorize',
  'queue/intake-tickets',
  'queue/route-tickets',
  'stream/process-changes',
  'schedule/sweep',
  'queue/deliver-webhooks',
];
const HANDLER_DIRS = ['auth', 'http', 'queue', 'schedule', 'stream'];

describe('ACCESS', () => {
  it('has exactly one line per route entry and worker', () => {
    const entries = [...new Set([...ROUTES.map((route) => route.entry as string), ...WORKERS])].sort();
    expect(Object.keys(ACCESS).sort()).toStrictEqual(entries);
  });

  it('names handler files that exist, and every handler file has a line', () => {
    for (const entry of Object.keys(ACCESS))
      expect(existsSync(new URL(`${entry}.ts`, FUNCTIONS)), entry).toBe(true);
    const handlers = HANDLER_DIRS.flatMap((dir) =>
      readdirSync(new URL(`${dir}/`, FUNCTIONS))
        .filter((file) => file.endsWith('.ts'))
        .map((file) => `${dir}/${file.replace(/\.ts$/, '')}`),
    );
    expect(handlers.sort()).toStrictEqual(Object.keys(ACCESS).sort());
  });

  it('refuses an entry without a line instead of granting a default', () => {
    expect(() => accessOf('http/not-a-handler')).toThrow(/no ACCESS line/);
  });

  it.each([
    'http/get-health',
    'http/get-openapi',
    'http/list-providers',
    'http/get-ticket',
    'auth/authorize',
  ])('keeps %s read-only', (entry) => {
    const access = accessOf(entry);
    expect(access.table).not.toBe('readWrite');
    expect(access.routingQueue).not.toBe('send');
  });
});
