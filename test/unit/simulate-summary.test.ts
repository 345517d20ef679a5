import { describe, expect, it } from 'vitest';
import { columnMap, keyValues, numberList, priorityMix } from '../../cli/simulate/options.js';
import type { RunOutcome } from '../../cli/simulate/pool.js';
import { reportData, reportHtml } from '../../cli/simulate/report.js';
import { meanRows, resultsJson } from '../../cli/simulate/summary.js';

function outcome(
  label: string,
  load: number,
  seed: number,
  onTime: number,
  p1: [number, number],
): RunOutcome {
  return {
    label,
    policy: 'outroute',
    load,
    seed,
    tickets: 100,
    onTime,
    byPriority: {
      P1: { tickets: p1[0], onTime: p1[1] },
      P2: { tickets: 0, onTime: 0 },
      P3: { tickets: 50, onTime: 50 },
      P4: { tickets: 50 - p1[0], onTime: 40 },
    },
    costPerTicket: 10 * seed,
    meanMinutesInSystem: 30 * seed,
    unfinished: 0.01 * seed,
    utilization: { a: 0.5 * seed },
    shares: { a: { target: 0.5, actual: 0.25 * seed } },
    byWeek: [{ weekStart: '2025-01-06', tickets: 100, onTime: 90 * seed - 80 }],
    utilizationByHour: { a: Array.from({ length: 24 }, () => 0.1 * seed) },
    lateness: [80, 10, 0, 0, 0, 0, 10],
    lost: seed,
    rebalanced: 2 * seed,
  };
}

describe('the summary of runs', () => {
  const runs = [outcome('outroute', 0.7, 1, 0.9, [10, 9]), outcome('outroute', 0.7, 2, 0.8, [10, 7])];

  it('averages a policy and load over its seeds; a priority without tickets has no figure', () => {
    const [row] = meanRows(runs);
    expect(row).toMatchObject({ label: 'outroute', load: 0.7, seeds: [1, 2], costPerTicket: 15, lost: 1.5 });
    expect(row!.onTime).toBeCloseTo(0.85);
    expect(row!.byPriority.P1).toBeCloseTo(0.8);
    expect(row!.byPriority.P2).toBeNaN();
  });

  it('writes every run with the label as its policy', () => {
    const custom = { ...outcome('tight.json', 1, 1, 0.5, [1, 1]) };
    const { runs: written } = JSON.parse(resultsJson([custom])) as { runs: Record<string, unknown>[] };
    expect(written[0]).toMatchObject({
      policy: 'tight.json',
      basePolicy: 'outroute',
      load: 1,
      seed: 1,
      onTime: 0.5,
    });
  });

  it('feeds the report means per policy and load, and keeps the data from closing its script element', () => {
    const data = reportData(runs, { trace: 'a</script>.csv', providers: [], tickets: 10 });
    expect(data.details[0]).toMatchObject({
      utilization: { a: 0.75 },
      shares: { a: { target: 0.5, actual: 0.375 } },
      lateness: [0.8, 0.1, 0, 0, 0, 0, 0.1],
      byWeek: [{ weekStart: '2025-01-06', onTime: 0.55 }],
    });
    expect(data.latenessBuckets).toStrictEqual([
      'on time',
      '≤ 15 min late',
      '≤ 1 h late',
      '≤ 4 h late',
      '≤ 1 d late',
      '≤ 7 d late',
      '> 7 d late',
    ]);
    const html = reportHtml(data, '/* chart */', '/* page */');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).not.toContain('NaN');
  });
});

describe('the simulate options', () => {
  it('reads key=value lists, quoted values included', () => {
    expect(keyValues('createdAt="Created Date",skill=Complaint Type', '--map')).toStrictEqual({
      createdAt: 'Created Date',
      skill: 'Complaint Type',
    });
    expect(keyValues(`a='x, y', b=2`, '--x')).toStrictEqual({ a: 'x, y', b: '2' });
  });

  it('refuses unknown fields, priorities and numbers with one line', () => {
    expect(() => columnMap('created=x')).toThrow('--map: unknown field "created" (fields: createdAt, ');
    expect(() => priorityMix('P5=1')).toThrow('--priority-mix: "P5" is not P1, P2, P3 or P4');
    expect(() => priorityMix('P1=0')).toThrow('--priority-mix: the shares add up to 0');
    expect(priorityMix('p1=0.1,P4=0.9')).toStrictEqual({ P1: 0.1, P2: 0, P3: 0, P4: 0.9 });
    expect(() => numberList('1,,2', '--seeds', Number.isSafeInteger)).toThrow(
      '--seeds: "" is not valid in "1,,2"',
    );
    expect(numberList('0.7, 0.9', '--load', (value) => value > 0)).toStrictEqual([0.7, 0.9]);
  });
});
