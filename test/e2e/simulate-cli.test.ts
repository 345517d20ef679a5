// `outroute simulate` as an operator runs it: a child process judged by its output, exit code and files.
// No platform needed: the simulator runs offline.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const workDir = mkdtempSync(join(tmpdir(), 'outroute-simulate-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function simulate(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['cli/main.ts', 'simulate', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function file(name: string, content: string): string {
  const path = join(workDir, name);
  writeFileSync(path, content);
  return path;
}

const providers = file(
  'providers.json',
  JSON.stringify([
    {
      providerId: 'day-team',
      status: 'active',
      timeZone: 'America/New_York',
      businessHours: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']]]),
      ),
      skills: { billing: 4, claims: 3 },
      capacity: 20,
      throughputPerHour: 6,
      costPerItem: 20,
      dataClearance: 'confidential',
      allocationShare: 0.4,
    },
    {
      providerId: 'night-team',
      status: 'active',
      timeZone: 'Asia/Manila',
      skills: { billing: 3, claims: 4 },
      capacity: 40,
      throughputPerHour: 4,
      costPerItem: 5,
      dataClearance: 'confidential',
      allocationShare: 0.6,
    },
  ]),
);

/** Two weeks of tickets, one every 40 minutes, in local New York time, no priority column. */
const trace = file(
  'trace.csv',
  [
    'Created Date,Type,Channel',
    ...Array.from({ length: 504 }, (_, i) => {
      const at = new Date(Date.UTC(2025, 2, 3) + i * 40 * 60_000);
      const local = `${at.getUTCMonth() + 1}/${at.getUTCDate()}/${at.getUTCFullYear()} ${at.getUTCHours()}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
      return `${local},${i % 3 ? 'billing' : 'claims'},phone`;
    }),
  ].join('\n'),
);
const mapped = ['--tz', 'America/New_York', '--map', 'createdAt="Created Date",skill=Type'];

describe('outroute simulate', () => {
  it.each([
    {
      case: 'a bad date names the file and the line',
      args: ['--trace', file('bad-date.csv', 'createdAt,skill\n2025-01-01T00:00Z,billing\nsoon,billing\n')],
      message: /^outroute: .*bad-date\.csv: line 3: createdAt "soon" is not a date-time$/,
    },
    {
      case: 'an unknown column lists the columns there are',
      args: ['--trace', trace, '--map', 'createdAt=Created,skill=Type'],
      message:
        /^outroute: .*trace\.csv: unknown column "Created" for createdAt; the CSV has: "Created Date", "Type", "Channel"$/,
    },
    {
      case: 'broken CSV quoting',
      args: ['--trace', file('broken.csv', 'createdAt,skill\n2025-01-01T00:00Z,"billing\n')],
      message: /^outroute: .*broken\.csv: not a readable CSV: /,
    },
    {
      case: 'a missing trace file',
      args: ['--trace', join(workDir, 'nowhere.csv')],
      message: /^outroute: --trace: cannot read .*nowhere\.csv: ENOENT$/,
    },
    {
      case: 'an invalid provider file',
      args: [
        '--trace',
        trace,
        ...mapped,
        '--providers',
        file('bad.json', '[{"providerId": "x-1", "status": "active"}]'),
      ],
      message: /^outroute: .*bad\.json: \d+ problems: \[0\] x-1: timeZone: .*; \[0\] x-1: skills: /,
    },
    {
      case: 'an unknown policy',
      args: ['--trace', trace, ...mapped, '--policy', 'fastest'],
      message:
        /^outroute: --policy: "fastest" is neither a policy \(outroute, legacy, .*\) nor a \.json file$/,
    },
    {
      case: 'an invalid routing policy file',
      args: ['--trace', trace, ...mapped, '--policy', file('bad-policy.json', '{"safetyMarginZ": -1}')],
      message: /^outroute: --policy: .*bad-policy\.json: safetyMarginZ: /,
    },
    {
      case: 'a load that is not a number',
      args: ['--trace', trace, ...mapped, '--load', '0.7,high'],
      message: /^outroute: --load: "high" is not valid in "0.7,high"$/,
    },
  ])('fails with one line and a non-zero exit code: $case', async ({ args, message }) => {
    const run = await simulate('--providers', providers, ...args);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('runs every policy, load and seed, prints the table and writes the JSON and the report', async () => {
    const json = join(workDir, 'results.json');
    const html = join(workDir, 'report.html');
    const policyFile = file('no-margin.json', '{"safetyMarginZ": 0, "weights": {"cost": 0.5}}');
    const run = await simulate(
      '--trace',
      trace,
      ...mapped,
      '--providers',
      providers,
      '--policy',
      'outroute,cheapest',
      policyFile,
      '--load',
      '0.6,1.2',
      '--seeds',
      '1,2',
      '--json',
      json,
      '--out',
      html,
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^policy\s+load\s+seed\s+tickets\s+on time\s+P1\s+P2\s+P3\s+P4\s+cost\/ticket\s+unfinished\s+lost\s+rebalanced$/,
    );
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 3))).toStrictEqual([
      ['outroute', '60%', 'mean of 2'],
      ['outroute', '120%', 'mean of 2'],
      ['cheapest', '60%', 'mean of 2'],
      ['cheapest', '120%', 'mean of 2'],
      ['no-margin.json', '60%', 'mean of 2'],
      ['no-margin.json', '120%', 'mean of 2'],
    ]);

    const { runs } = JSON.parse(readFileSync(json, 'utf8')) as { runs: Record<string, unknown>[] };
    expect(runs).toHaveLength(12);
    const fraction = expect.toSatisfy((value: number) => value >= 0 && value <= 1);
    const count = { tickets: expect.any(Number), onTime: expect.any(Number) };
    for (const entry of runs) {
      expect(entry).toMatchObject({
        policy: expect.stringMatching(/^(outroute|cheapest|no-margin\.json)$/),
        load: expect.toSatisfy((load: number) => load === 0.6 || load === 1.2),
        seed: expect.toSatisfy((seed: number) => seed === 1 || seed === 2),
        tickets: expect.any(Number),
        onTime: fraction,
        byPriority: { P1: count, P2: count, P3: count, P4: count },
        costPerTicket: expect.any(Number),
        unfinished: fraction,
        utilization: { 'day-team': fraction, 'night-team': fraction },
        shares: {
          'day-team': { target: expect.closeTo(0.4, 9), actual: fraction },
          'night-team': { target: expect.closeTo(0.6, 9), actual: fraction },
        },
      });
    }
    expect(runs.find((entry) => entry.policy === 'no-margin.json')).toMatchObject({ basePolicy: 'outroute' });
    // Same load and seed: every policy met the same tickets.
    const ticketsOf = (policy: string) =>
      runs.filter((entry) => entry.policy === policy).map((entry) => entry.tickets);
    expect(ticketsOf('cheapest')).toStrictEqual(ticketsOf('outroute'));
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*new Chart[\s\S]*<\/html>\n$/);
  });
});
