import { describe, expect, it } from 'vitest';
import { parseTrace, TraceError } from '../../shared/simulation/trace.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('parseTrace reads the default columns', () => {
  it('reads ISO instants with offsets, every field, and sorts by created time', () => {
    const tickets = parseTrace(
      csv(
        'createdAt,priority,skill,dueAt,language,dataClassification,workMinutes',
        '2025-03-14T10:00:00+01:00,P2,billing,2025-03-14T12:00:00Z,de,confidential,12.5',
        '2025-03-14T08:30:00Z,p1,claims,,,,',
      ),
    );
    expect(tickets).toStrictEqual([
      { createdMs: Date.parse('2025-03-14T08:30:00Z'), priority: 'P1', skill: 'claims' },
      {
        createdMs: Date.parse('2025-03-14T09:00:00Z'),
        priority: 'P2',
        skill: 'billing',
        dueMs: Date.parse('2025-03-14T12:00:00Z'),
        language: 'de',
        dataClassification: 'confidential',
        workMinutes: 12.5,
      },
    ]);
  });

  it('reads local date-times in the tz option, across a DST change', () => {
    const tickets = parseTrace(
      csv(
        'createdAt,priority,skill',
        '3/8/2025 3:30,P3,a', // EST, UTC-5
        '3/9/2025 3:30,P3,a', // EDT from 02:00 that night, UTC-4
        '2025-03-10 09:15:00,P3,a',
        '03/10/2025 01:05:00 PM,P3,a',
      ),
      { tz: 'America/New_York' },
    );
    expect(tickets.map((ticket) => iso(ticket.createdMs))).toStrictEqual([
      '2025-03-08T08:30:00.000Z',
      '2025-03-09T07:30:00.000Z',
      '2025-03-10T13:15:00.000Z',
      '2025-03-10T17:05:00.000Z',
    ]);
  });

  it('reads local date-times as UTC without a tz option', () => {
    const [ticket] = parseTrace(csv('createdAt,skill,priority', '2022-01-21 13:47:00,a,P4'));
    expect(iso(ticket!.createdMs)).toBe('2022-01-21T13:47:00.000Z');
  });

  it('skips blank lines and rows without a created date', () => {
    const tickets = parseTrace(csv('createdAt,skill,priority', '', '2025-01-01T00:00Z,a,P1', ',b,P2', ',,'));
    expect(tickets).toHaveLength(1);
  });
});

describe('parseTrace reads other layouts through map', () => {
  const nyc = csv(
    'Unique Key,Created Date,Agency,Complaint Type,Due Date',
    '1,3/14/2025 1:20,NYPD,Animal-Abuse,',
    '2,3/14/2025 0:44,NYPD,Dead Animal,',
  );

  it('takes the mapped columns and draws priorities when there is no priority column', () => {
    const tickets = parseTrace(nyc, {
      tz: 'America/New_York',
      map: { createdAt: 'Created Date', skill: 'Complaint Type' },
      priorityMix: { P1: 1 },
    });
    expect(tickets).toStrictEqual([
      { createdMs: Date.parse('2025-03-14T04:44:00Z'), priority: 'P1', skill: 'Dead Animal' },
      { createdMs: Date.parse('2025-03-14T05:20:00Z'), priority: 'P1', skill: 'Animal-Abuse' },
    ]);
  });

  it('finds a column whose name differs only in case', () => {
    const tickets = parseTrace(csv('CreatedAt,Skill', '2025-01-01T00:00Z,a'));
    expect(tickets[0]!.skill).toBe('a');
  });
});

describe('parseTrace draws missing priorities from a seeded mix', () => {
  const rows = Array.from(
    { length: 10_000 },
    (_, i) => `${new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString()},s`,
  );
  const text = csv('createdAt,skill', ...rows);
  const priorities = (seed: number) => parseTrace(text, { seed }).map((ticket) => ticket.priority);

  it('is deterministic per seed and row, and differs between seeds', () => {
    expect(priorities(7)).toStrictEqual(priorities(7));
    expect(priorities(8)).not.toStrictEqual(priorities(7));
  });

  it('follows the default mix 5 / 15 / 40 / 40 %', () => {
    const drawn = priorities(3);
    const share = (priority: string) => drawn.filter((p) => p === priority).length / drawn.length;
    expect(share('P1')).toBeCloseTo(0.05, 2);
    expect(share('P2')).toBeCloseTo(0.15, 1);
    expect(share('P3')).toBeCloseTo(0.4, 1);
    expect(share('P4')).toBeCloseTo(0.4, 1);
  });

  it("keeps a row's priority when rows before it are dropped", () => {
    const tail = parseTrace(csv('createdAt,skill', ...rows.slice(0, 100)), { seed: 5 });
    const ticket = parseTrace(csv('createdAt,skill', ...rows.slice(0, 101)), { seed: 5 })[100]!;
    expect(tail).toHaveLength(100);
    expect(ticket.priority).toBe(priorities(5)[100]);
  });
});

describe('parseTrace fails with one line that says what is wrong', () => {
  it.each([
    {
      case: 'an unknown mapped column, listing the columns there are',
      text: csv('Created Date,Complaint Type', '3/14/2025 1:20,x'),
      options: { map: { createdAt: 'Created', skill: 'Complaint Type' } },
      message: 'unknown column "Created" for createdAt; the CSV has: "Created Date", "Complaint Type"',
    },
    {
      case: 'a missing required column',
      text: csv('createdAt,type', '2025-01-01T00:00Z,x'),
      options: {},
      message: 'unknown column "skill" for skill; the CSV has: "createdAt", "type"',
    },
    {
      case: 'a bad created date, naming the line',
      text: csv('createdAt,skill', '2025-01-01T00:00Z,x', 'yesterday,x'),
      options: {},
      message: 'line 3: createdAt "yesterday" is not a date-time',
    },
    {
      case: 'an impossible local date',
      text: csv('createdAt,skill', '2/30/2025 1:00,x'),
      options: {},
      message: 'line 2: createdAt "2/30/2025 1:00" is not a date-time',
    },
    {
      case: 'a bad priority',
      text: csv('createdAt,skill,priority', '2025-01-01T00:00Z,x,urgent'),
      options: {},
      message: 'line 2: priority "urgent" is not P1, P2, P3 or P4',
    },
    {
      case: 'an unknown time zone',
      text: csv('createdAt,skill', '2025-01-01T00:00Z,x'),
      options: { tz: 'Mars/Olympus' },
      message: 'unknown time zone: Mars/Olympus',
    },
    {
      case: 'broken quoting',
      text: csv('createdAt,skill', '2025-01-01T00:00Z,"x'),
      options: {},
      message: expect.stringMatching(/^not a readable CSV: .*quote/i),
    },
  ])('$case', ({ text, options, message }) => {
    let thrown: unknown;
    try {
      parseTrace(text, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TraceError);
    expect((thrown as Error).message).toEqual(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});
