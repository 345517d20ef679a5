import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics, observed } from '../../functions/lib/observability.js';

const context = {
  functionName: 'process-changes',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:process-changes',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

const handler = middy(async () => {
  metrics.addMetric('TicketsRouted', MetricUnit.Count, 2);
  return 'done';
}).use(observed());

const emfLines = (text: string) => text.split('\n').filter((line) => line.includes('"_aws"'));

describe('EMF metrics', () => {
  afterEach(() => {
    delete process.env.METRICS_LOG_FILE;
    vi.restoreAllMocks();
  });

  it('go to stdout, as Lambda needs them, when no METRICS_LOG_FILE is set', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    await handler({}, context);
    vi.restoreAllMocks();
    const [line] = emfLines(printed.join(''));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ TicketsRouted: 2, service: 'outroute' });
  });

  it('go to METRICS_LOG_FILE, one JSON object a line, and not to the console, when it is set (npm start)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'outroute-metrics-')), 'metrics.jsonl');
    process.env.METRICS_LOG_FILE = file;
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    await handler({}, context);
    await handler({}, context);
    vi.restoreAllMocks();
    expect(emfLines(printed.join(''))).toStrictEqual([]);
    const lines = emfLines(readFileSync(file, 'utf8')).map((line) => JSON.parse(line));
    // Two invocations, two lines: each flush clears what it wrote.
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'Outroute', Metrics: [{ Name: 'TicketsRouted' }] }] },
        TicketsRouted: 2,
      });
    }
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
