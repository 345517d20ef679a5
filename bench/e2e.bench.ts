// Local throughput: open-loop load on `npm start` (a child process, as a user
// runs it): POST /v1/tickets at fixed rates — each request sent on its
// schedule whatever the earlier ones are doing — and how long until each
// ticket is queued at a provider.
//
//   npm run bench:e2e                                  # 10, 50 and 100 tickets/s, 30 s each
//   npm run bench:e2e -- --rates 50 --seconds 30
//
// "Queued" is read from the platform's event log (.outroute/events.jsonl,
// `ticket.queued` lines, whose `at` is the router's decision time), tailed
// every 100 ms: it costs the platform nothing. Per rate: POST latency (send →
// 202), queueing (202 → queued) and end to end (send → queued), p50/p95/p99,
// with the 1-minute load average sampled every second (os.loadavg: this
// machine's 2 cores are shared, and the figure says how busy they were).
// The rates follow 10 s of warm-up at 20 tickets/s, off the clock (a fresh
// JVM and V8 compile for their first seconds). Tickets spread over 4 sources
// (the intake limit is 100/s per source, as in AWS's dev stage), 5 providers
// with room for every ticket.
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, startPlatform } from '../test/e2e/platform.js';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '10,50,100' },
    seconds: { type: 'string', default: '30' },
    out: { type: 'string', default: 'bench/results/e2e.json' },
    'drain-seconds': { type: 'string', default: '60' },
  },
});
const RATES = args.rates.split(',').map(Number);
const SECONDS = Number(args.seconds);
const SOURCES = 4;
const WARM_UP_RATE = 20;
const WARM_UP_TICKETS = 10 * WARM_UP_RATE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const platform = await startPlatform({ OUTROUTE_SWEEP_SECONDS: '60', OUTROUTE_LOG_LEVEL: 'WARN' });
const eventLog = join(platform.dataDir, 'events.jsonl');

/** Reads the event log's new lines every 100 ms and notes when each ticket was queued. */
const queuedAt = new Map<string, number>();
let offset = 0;
let partial = '';
const tail = setInterval(() => {
  let size: number;
  try {
    size = statSync(eventLog).size;
  } catch {
    return;
  }
  if (size <= offset) return;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(eventLog, 'r');
  readSync(fd, buffer, 0, buffer.length, offset);
  closeSync(fd);
  offset = size;
  const lines = (partial + buffer.toString('utf8')).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.includes('"ticket.queued"')) continue;
    const event = JSON.parse(line) as { ticketId?: string; at: string };
    if (event.ticketId && !queuedAt.has(event.ticketId)) queuedAt.set(event.ticketId, Date.parse(event.at));
  }
}, 100);

interface Sent {
  sentAt: number;
  answeredAt?: number;
  status?: number;
  ticketId?: string;
}

const percentile = (values: number[], p: number) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
};
const stats = (values: number[]) => ({
  count: values.length,
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  max: percentile(values, 100),
});

try {
  for (let index = 0; index < 5; index++) {
    const answer = await api(platform, 'PUT', `/v1/providers/e2e-${index + 1}`, {
      body: {
        name: `E2E ${index + 1}`,
        status: 'active',
        timeZone: 'UTC',
        skills: { billing: 3 },
        languages: ['en'],
        capacity: 100_000,
        throughputPerHour: 100_000,
        costPerItem: 1 + index / 10,
        qualityScore: 0.9,
        dataClearance: 'confidential',
      },
    });
    if (answer.status >= 300) throw new Error(`provider: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const sourceKeys: string[] = [];
  for (let index = 0; index < SOURCES; index++)
    sourceKeys.push((await api(platform, 'POST', `/v1/sources/e2e-${index + 1}/keys`)).body.apiKey as string);
  // Warm-up, off the clock: every handler loaded, then 10 s at 20 tickets/s, so the figures are
  // the sustained rates' and not a fresh JVM's and V8's first seconds (in which DynamoDB Local's
  // and the functions' code is still being compiled: the first rate's p95 came out 2-3 times higher).
  const warmUps: Promise<unknown>[] = [];
  for (let index = 0; index < WARM_UP_TICKETS; index++) {
    warmUps.push(
      api(platform, 'POST', '/v1/tickets', {
        key: sourceKeys[index % SOURCES],
        body: { externalId: `warm-${index}`, kind: 'front_office', skill: 'billing', priority: 'P3' },
      }),
    );
    await sleep(1000 / WARM_UP_RATE);
  }
  await Promise.all(warmUps);
  await sleep(3000);

  const results = [];
  for (const rate of RATES) {
    const sent: Sent[] = [];
    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 1000);
    const loadAtStart = loadavg()[0] ?? 0;
    const total = Math.round(rate * SECONDS);
    const started = performance.now() + 50;
    const epoch = Date.now() - performance.now();
    const inFlight: Promise<void>[] = [];
    for (let index = 0; index < total; index++) {
      const due = started + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const entry: Sent = { sentAt: epoch + performance.now() };
      sent.push(entry);
      inFlight.push(
        fetch(`${platform.url}/v1/tickets`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${sourceKeys[index % SOURCES]}`,
          },
          body: JSON.stringify({
            externalId: `e2e-${rate}-${index}`,
            kind: 'front_office',
            skill: 'billing',
            priority: 'P3',
            subject: 'Refund not received',
          }),
        })
          .then(async (response) => {
            entry.answeredAt = epoch + performance.now();
            entry.status = response.status;
            const body = (await response.json()) as { ticketId?: string };
            entry.ticketId = body.ticketId;
          })
          .catch(() => {
            entry.answeredAt = epoch + performance.now();
            entry.status = 0;
          }),
      );
    }
    const sendingLag = performance.now() - (started + ((total - 1) * 1000) / rate);
    await Promise.all(inFlight);
    const deadline = Date.now() + Number(args['drain-seconds']) * 1000;
    const accepted = sent.filter((entry) => entry.status === 202 && entry.ticketId);
    while (Date.now() < deadline && accepted.some((entry) => !queuedAt.has(entry.ticketId as string)))
      await sleep(200);
    clearInterval(sampler);
    loads.push(loadavg()[0] ?? 0);

    const post = sent.flatMap((entry) => (entry.answeredAt ? [entry.answeredAt - entry.sentAt] : []));
    const queued = accepted.filter((entry) => queuedAt.has(entry.ticketId as string));
    const toQueued = queued.map((entry) => (queuedAt.get(entry.ticketId as string) as number) - entry.sentAt);
    const afterAccept = queued.map(
      (entry) => (queuedAt.get(entry.ticketId as string) as number) - (entry.answeredAt as number),
    );
    const statuses: Record<string, number> = {};
    for (const entry of sent) statuses[String(entry.status)] = (statuses[String(entry.status)] ?? 0) + 1;
    const result = {
      rate,
      seconds: SECONDS,
      offered: total,
      statuses,
      queued: queued.length,
      notQueued: accepted.length - queued.length,
      /** How late the last request left against its schedule (the load generator's own lag). */
      sendingLagMs: Math.round(sendingLag),
      endToEndMs: stats(toQueued),
      acceptedToQueuedMs: stats(afterAccept),
      endpoints: { 'POST /v1/tickets': stats(post) },
      loadAverage: {
        start: Math.round(loadAtStart * 100) / 100,
        mean: Math.round((loads.reduce((a, b) => a + b, 0) / loads.length) * 100) / 100,
        max: Math.round(Math.max(...loads) * 100) / 100,
      },
    };
    results.push(result);
    console.log(
      `${rate}/s: send → queued p50 ${result.endToEndMs.p50} ms, p95 ${result.endToEndMs.p95} ms, p99 ${result.endToEndMs.p99} ms; ` +
        `POST p50 ${result.endpoints['POST /v1/tickets'].p50} ms, p95 ${result.endpoints['POST /v1/tickets'].p95} ms; ` +
        `202 → queued p95 ${result.acceptedToQueuedMs.p95} ms; ${result.queued}/${total} queued ${JSON.stringify(statuses)}; ` +
        `load average ${result.loadAverage.start} → mean ${result.loadAverage.mean}, max ${result.loadAverage.max}`,
    );
    await sleep(3000);
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(
    args.out,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), cores: 2, sources: SOURCES, providers: 5, results }, null, 2)}\n`,
  );
  console.log('');
  console.log(
    '| offered/s | queued | send → queued p50 / p95 / p99 ms | POST p50 / p95 / p99 ms | load avg (mean, max) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of results)
    console.log(
      `| ${r.rate} | ${r.queued}/${r.offered} | ${r.endToEndMs.p50} / ${r.endToEndMs.p95} / ${r.endToEndMs.p99} | ` +
        `${r.endpoints['POST /v1/tickets'].p50} / ${r.endpoints['POST /v1/tickets'].p95} / ${r.endpoints['POST /v1/tickets'].p99} | ${r.loadAverage.mean}, ${r.loadAverage.max} |`,
    );
  for (const r of results) console.log(`e2e p95 at ${r.rate}/s: ${r.endToEndMs.p95} ms`);
} finally {
  clearInterval(tail);
  await platform.stop();
}
