// What one ticket costs in AWS: N tickets (default 300) through the whole
// lifecycle — POST /v1/tickets → routed → leased → completed, 5 providers —
// on the local runtime, started in this process (as `npm start` would), with
// every DynamoDB request, SQS request and function invocation counted.
//
//   npm run bench:lifecycle                    # 300 tickets
//   npm run bench:lifecycle -- --tickets 100 --out bench/results/lifecycle-before.json
//
// How it measures (and why this way):
// - DynamoDB: OUTROUTE_WRITE_LOG makes every document client add a middleware
//   (shared/store/request-log.ts; never added in AWS) that asks for
//   ReturnConsumedCapacity: INDEXES and writes one JSON line per request: the
//   operation, the function that sent it, the items it wrote, success or the
//   error. DynamoDB Local does not bill faithfully, so WRITE UNITS ARE COMPUTED
//   by AWS's rules (bench/lib/dynamo-billing.ts, header) from the item images
//   before and after each write, taken from the table's stream
//   (NEW_AND_OLD_IMAGES): the stream holds every change of every item, with
//   both images, in commit order. The n-th successful write of an item in the
//   log is the n-th stream record of that item. From the log come what the
//   stream cannot say: which writes were transactions and which failed.
//   Rules applied: 1 unit per started KB of the larger image, at least 1;
//   every item of a transaction twice (prepare and commit, AWS's "two
//   underlying writes of every item in the transaction"), a ConditionCheck
//   included; index entries (keys + table keys + projected attributes, as
//   infra/resources.ts TABLE.indexes projects them, ALL when unsaid) 1 per
//   started KB per entry written — new entry 1 put, key changed 1 delete + 1
//   put, projected attribute changed 1 update, only unprojected attributes
//   changed 0, entry gone 1 delete — and NOT doubled in transactions (the
//   index is propagated from the committed item). A write refused by its
//   condition still costs the table units of the item as it stands (doubled
//   in a transaction), no index units. A write that changed nothing leaves no
//   stream record; it is billed as the item's size and counted as `noop`.
// - Read units: as DynamoDB Local reports them (it applies the 4 KB rounding
//   and the halving for eventually consistent reads).
// - SQS: every SQSClient request in this process, by API action; empty
//   receives (idle polling, a cost per poller and hour, not per ticket) apart.
// - Lambda: each invocation the local runtime makes (infra/local/invocations.ts),
//   with its duration here and the memory the stack gives the function; HTTP
//   API: every request; EventBridge: the events the stream consumer published
//   (the local event log); CloudWatch Logs: what the functions print at
//   Powertools' default level INFO, their EMF metrics, and estimates of
//   Lambda's platform lines and the API access log (bench/lib/prices.ts).
// - Everything is counted from the first ticket to the moment the platform
//   is quiet after the last completion (stream consumer done); setup is not.
//   The sweeper runs at AWS's cadence (once a minute) and its invocations are
//   not counted (a fixed cost per minute, not per ticket).
import { channel } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { registerAdminKey } from '../infra/local/admin-key.js';
import { INVOCATION_CHANNEL, type Invocation } from '../infra/local/invocations.js';
import { startRuntime } from '../infra/local/runtime.js';
import { TABLE } from '../infra/resources.js';
import { invocationScope, type RequestLogLine } from '../shared/store/request-log.js';
import { type Image, indexShapes, itemSize, itemWriteCost, writeUnits } from './lib/dynamo-billing.js';
import { LOG_BYTES, memoryMbOf, PRICES } from './lib/prices.js';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '300' },
    providers: { type: 'string', default: '5' },
    out: { type: 'string', default: 'bench/results/lifecycle.json' },
    'deadline-seconds': { type: 'string', default: '600' },
  },
});
const TICKETS = Number(args.tickets);
const PROVIDERS = Number(args.providers);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- instrumentation, before anything starts -------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'outroute-bench-lifecycle-'));
const requestLog = join(dataDir, 'requests.jsonl');
process.env.OUTROUTE_WRITE_LOG = requestLog;
// Powertools' level in AWS (the stack sets none): INFO, so the log bytes are AWS's.
process.env.OUTROUTE_LOG_LEVEL = 'INFO';

let measuring = false;
const invocations: (Invocation & { t: number })[] = [];
channel(INVOCATION_CHANNEL).subscribe((message) => {
  if (measuring) invocations.push({ ...(message as Invocation), t: Date.now() });
});

interface SqsCall {
  action: string;
  fn?: string;
  empty: boolean;
}
const sqsCalls: SqsCall[] = [];
const sqsSend = SQSClient.prototype.send;
SQSClient.prototype.send = function (this: SQSClient, ...sendArgs: Parameters<SQSClient['send']>) {
  const command = sendArgs[0] as { constructor: { name: string } };
  const action = command.constructor.name.replace(/Command$/, '');
  const fn = invocationScope.getStore();
  const sent = (sqsSend as (...a: unknown[]) => Promise<unknown>).apply(this, sendArgs);
  if (measuring)
    void sent.then(
      (output) => {
        const empty = action === 'ReceiveMessage' && !(output as { Messages?: unknown[] }).Messages?.length;
        sqsCalls.push({ action, fn, empty });
      },
      () => sqsCalls.push({ action, fn, empty: false }),
    );
  return sent as never;
} as unknown as SQSClient['send'];

// What the functions print (Powertools logs) while measuring: counted, not shown.
let logBytes = 0;
const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (measuring) {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }
  return (stdoutWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const fileSize = (file: string) => (existsSync(file) ? statSync(file).size : 0);
const lineCount = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;

// ---- the run -----------------------------------------------------------------------------------
const runtimeErrors: string[] = [];
const runtime = await startRuntime({
  port: 0,
  dataDir,
  sweepSeconds: 60,
  onError: (error) => runtimeErrors.push(String((error as Error).message ?? error)),
});
// Logs as Lambda writes them (one JSON line each), not the pretty local form.
process.env.POWERTOOLS_DEV = 'false';
const adminKey = await registerAdminKey('bench-lifecycle-admin-key-0001');

let httpRequests = 0;
let emptyLeases = 0;
async function call(method: string, path: string, key: string, body?: unknown) {
  for (let attempt = 0; ; attempt++) {
    if (measuring) httpRequests++;
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if ((response.status >= 500 || response.status === 429) && attempt < 20) {
      await sleep(200 + Math.random() * 300);
      continue;
    }
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

const providerIds = Array.from({ length: PROVIDERS }, (_, index) => `bench-${index + 1}`);
const providerKeys = new Map<string, string>();
for (const [index, providerId] of providerIds.entries()) {
  const put = await call('PUT', `/v1/providers/${providerId}`, adminKey, {
    name: `Bench ${index + 1}`,
    status: 'active',
    timeZone: 'UTC',
    skills: { billing: 3 },
    languages: ['en'],
    capacity: 50,
    throughputPerHour: 600,
    costPerItem: 1 + index / 10,
    qualityScore: 0.9,
    dataClearance: 'confidential',
  });
  if (put.status >= 300) throw new Error(`provider ${providerId}: ${put.status} ${JSON.stringify(put.body)}`);
  providerKeys.set(
    providerId,
    (await call('POST', `/v1/providers/${providerId}/keys`, adminKey)).body.apiKey,
  );
}
const sourceKey = (await call('POST', '/v1/sources/bench/keys', adminKey)).body.apiKey as string;
await quiet(2000);

const startedAt = Date.now();
const startLoad = loadavg()[0] ?? 0;
const eventsBefore = lineCount(runtime.eventLogFile);
const metricsBytesBefore = fileSize(runtime.metricsLogFile);
measuring = true;

let completed = 0;
const submit = async () => {
  for (let index = 0; index < TICKETS; index += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, TICKETS - index) }, async (_, offset) => {
        const answer = await call('POST', '/v1/tickets', sourceKey, {
          externalId: `bench-${index + offset}`,
          kind: 'front_office',
          skill: 'billing',
          priority: 'P3',
          subject: 'Refund not received',
        });
        if (answer.status !== 202 && answer.status !== 200)
          throw new Error(`intake ${answer.status} ${JSON.stringify(answer.body)}`);
      }),
    );
    await sleep(200);
  }
};
let stopWorkers = false;
const work = async (providerId: string) => {
  const key = providerKeys.get(providerId) as string;
  while (!stopWorkers) {
    const answer = await call('POST', `/v1/providers/${providerId}/lease`, key, {
      max: 5,
      leaseSeconds: 300,
    });
    const items = (answer.body?.items ?? []) as { ticketId: string; leaseToken: string }[];
    if (!items.length) {
      emptyLeases++;
      await sleep(500);
      continue;
    }
    await Promise.all(
      items.map(async (item) => {
        const done = await call('POST', `/v1/tickets/${item.ticketId}/complete`, key, {
          leaseToken: item.leaseToken,
        });
        if (done.status === 200) completed++;
      }),
    );
  }
};
const deadline = Date.now() + Number(args['deadline-seconds']) * 1000;
const workers = providerIds.map((id) => work(id));
await submit();
while (completed < TICKETS && Date.now() < deadline) await sleep(250);
stopWorkers = true;
await Promise.all(workers);
await quiet(3000);
measuring = false;
const finishedAt = Date.now();
const endLoad = loadavg()[0] ?? 0;
const events = lineCount(runtime.eventLogFile) - eventsBefore;
const emfBytes = fileSize(runtime.metricsLogFile) - metricsBytesBefore;
const stream = await readStream();
await runtime.stop();

/** Waits until no DynamoDB request has been made for `ms` (the stream consumer has caught up). */
async function quiet(ms: number) {
  let last = fileSize(requestLog);
  let since = Date.now();
  while (Date.now() - since < ms) {
    await sleep(250);
    const now = fileSize(requestLog);
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

async function readStream(): Promise<_Record[]> {
  const streams = new DynamoDBStreamsClient({});
  const records: _Record[] = [];
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: runtime.backing.streamArn }));
  for (const shard of description.StreamDescription?.Shards ?? []) {
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: runtime.backing.streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  streams.destroy();
  return records;
}

// ---- billing ------------------------------------------------------------------------------------
const indexes = indexShapes(TABLE.indexes as unknown as Record<string, unknown>[]);
const keyString = (pk: string, sk: string) => `${pk}\u0000${sk}`;
const sequence = (record: _Record) => BigInt(record.dynamodb?.SequenceNumber ?? '0');
const pending = new Map<string, _Record[]>();
for (const record of [...stream].sort((a, b) => (sequence(a) < sequence(b) ? -1 : 1))) {
  const keys = record.dynamodb?.Keys as Image;
  const id = keyString(keys.pk?.S ?? '', keys.sk?.S ?? '');
  pending.set(id, [...(pending.get(id) ?? []), record]);
}
const lines = readFileSync(requestLog, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as RequestLogLine);

const STATE_OF: Record<string, string> = {
  'http/create-ticket': 'intake',
  'http/create-ticket-batch': 'intake',
  'intake-tickets': 'intake',
  'route-tickets': 'routed',
  'http/lease-tickets': 'leased',
  'http/complete-ticket': 'completed',
  'process-changes': 'stream consumer',
  'auth/authorize': 'authorizer',
};
const stateOf = (fn: string | undefined) => (fn ? (STATE_OF[fn] ?? fn) : 'other (sweeper, untracked)');
/** `TICKET/TICKET`, `METRIC/HOUR`, `AUDIT/…`: the constant parts of an item's keys. */
const itemTypeOf = (pk: string, sk: string) => {
  const skPart = sk.split('#')[0] ?? '';
  return `${pk.split('#')[0]}/${/^[A-Z_]+$/.test(skPart) ? skPart : '…'}`;
};

interface Tally {
  itemWrites: number;
  tableUnits: number;
  indexUnits: Record<string, number>;
  failedWrites: number;
  transactionalItemWrites: number;
  indexUnitsInTransactions: number;
}
const newTally = (): Tally => ({
  itemWrites: 0,
  tableUnits: 0,
  indexUnits: Object.fromEntries(indexes.map((index) => [index.name, 0])),
  failedWrites: 0,
  transactionalItemWrites: 0,
  indexUnitsInTransactions: 0,
});
const totals = newTally();
const byState = new Map<string, Tally>();
const byItem = new Map<string, Tally>();
const readUnits = { total: 0, byState: {} as Record<string, number> };
let reportedWriteUnits = 0;
let noopWrites = 0;
const current = new Map<string, Image | undefined>();
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

const capacityUnits = (consumed: unknown): number =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
    (sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0),
    0,
  );

for (const line of lines) {
  const inWindow = line.t >= startedAt && line.t <= finishedAt;
  const state = stateOf(line.fn);
  if (!WRITE_OPS.has(line.op)) {
    if (inWindow) {
      const units = capacityUnits(line.consumed);
      readUnits.total += units;
      readUnits.byState[state] = (readUnits.byState[state] ?? 0) + units;
    }
    continue;
  }
  if (inWindow) reportedWriteUnits += capacityUnits(line.consumed);
  const transactional = line.op === 'TransactWriteItems';
  for (const write of line.writes ?? []) {
    const id = keyString(write.pk, write.sk);
    let tableUnits: number;
    let indexWrites: { index: string; units: number }[] = [];
    if (line.ok && write.kind !== 'check') {
      const record = pending.get(id)?.shift();
      if (record) {
        const before = record.dynamodb?.OldImage as Image | undefined;
        const after = record.dynamodb?.NewImage as Image | undefined;
        const cost = itemWriteCost(before, after, indexes, transactional);
        tableUnits = cost.tableUnits;
        indexWrites = cost.indexes;
        current.set(id, after);
      } else {
        // No stream record: the write changed nothing (still billed by the item's size).
        if (inWindow) noopWrites++;
        tableUnits = writeUnits(itemSize(current.get(id))) * (transactional ? 2 : 1);
      }
    } else {
      tableUnits = writeUnits(itemSize(current.get(id))) * (transactional ? 2 : 1);
    }
    if (!inWindow) continue;
    const tallies = [totals, tallyOf(byState, state), tallyOf(byItem, itemTypeOf(write.pk, write.sk))];
    for (const tally of tallies) {
      tally.itemWrites++;
      tally.tableUnits += tableUnits;
      if (!line.ok) tally.failedWrites++;
      if (transactional) tally.transactionalItemWrites++;
      for (const { index, units } of indexWrites) {
        tally.indexUnits[index] = (tally.indexUnits[index] ?? 0) + units;
        if (transactional) tally.indexUnitsInTransactions += units;
      }
    }
  }
}
const unmatchedStreamRecords = [...pending.values()].reduce((sum, left) => sum + left.length, 0);

function tallyOf(map: Map<string, Tally>, name: string): Tally {
  let tally = map.get(name);
  if (!tally) map.set(name, (tally = newTally()));
  return tally;
}

// ---- per ticket and $ ---------------------------------------------------------------------------
const per = (value: number) => Math.round((value / TICKETS) * 100) / 100;
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const unitsOf = (tally: Tally) => tally.tableUnits + sum(tally.indexUnits);
const perTicket = (tally: Tally) => ({
  itemWrites: per(tally.itemWrites),
  writeUnits: per(unitsOf(tally)),
  tableUnits: per(tally.tableUnits),
  indexUnits: Object.fromEntries(Object.entries(tally.indexUnits).map(([name, units]) => [name, per(units)])),
  failedWrites: per(tally.failedWrites),
  transactionalItemWrites: per(tally.transactionalItemWrites),
});

const lambda: Record<string, { invocations: number; records: number; gbSeconds: number; p50Ms: number }> = {};
for (const invocation of invocations) {
  const entry = (lambda[invocation.functionName] ??= { invocations: 0, records: 0, gbSeconds: 0, p50Ms: 0 });
  entry.invocations++;
  entry.records += invocation.records;
  entry.gbSeconds += (Math.ceil(invocation.durationMs) / 1000) * (memoryMbOf(invocation.functionName) / 1024);
}
for (const [name, entry] of Object.entries(lambda)) {
  const durations = invocations
    .filter((invocation) => invocation.functionName === name)
    .map((invocation) => invocation.durationMs)
    .sort((a, b) => a - b);
  entry.p50Ms = Math.round((durations[Math.floor(durations.length / 2)] ?? 0) * 10) / 10;
}
const lambdaInvocations = sum(Object.fromEntries(Object.entries(lambda).map(([n, e]) => [n, e.invocations])));
const gbSeconds = sum(Object.fromEntries(Object.entries(lambda).map(([n, e]) => [n, e.gbSeconds])));

const sqsBilled: Record<string, number> = {};
let sqsEmptyReceives = 0;
for (const callMade of sqsCalls) {
  if (callMade.empty) sqsEmptyReceives++;
  else sqsBilled[callMade.action] = (sqsBilled[callMade.action] ?? 0) + 1;
}
const sqsRequests = sum(sqsBilled);
const httpInvocations = invocations.filter((invocation) =>
  invocation.functionName.startsWith('http/'),
).length;
const cloudWatchLogBytes =
  logBytes +
  emfBytes +
  lambdaInvocations * LOG_BYTES.perInvocation +
  httpRequests * LOG_BYTES.perHttpAccessLogLine;

const writeUnitsTotal = unitsOf(totals);
const dollars = {
  dynamoWrites: (writeUnitsTotal / TICKETS) * PRICES.dynamoWritePerMillionUnits,
  dynamoReads: (readUnits.total / TICKETS) * PRICES.dynamoReadPerMillionUnits,
  lambdaRequests: (lambdaInvocations / TICKETS) * PRICES.lambdaPerMillionRequests,
  lambdaCompute: (gbSeconds / TICKETS) * 1e6 * PRICES.lambdaPerGbSecond,
  httpApi: (httpRequests / TICKETS) * PRICES.httpApiPerMillionRequests,
  sqs: (sqsRequests / TICKETS) * PRICES.sqsPerMillionRequests,
  eventBridge: (events / TICKETS) * PRICES.eventBridgePerMillionEvents,
  cloudWatchLogs: ((cloudWatchLogBytes / TICKETS) * 1e6 * PRICES.cloudWatchLogsIngestionPerGb) / 1e9,
};
const dollarsTotal = sum(dollars);
const round2 = (value: number) => Math.round(value * 100) / 100;

const result = {
  measuredAt: new Date(startedAt).toISOString(),
  commit: gitHead(),
  tickets: TICKETS,
  providers: PROVIDERS,
  completed,
  seconds: Math.round((finishedAt - startedAt) / 100) / 10,
  loadAverage: { start: round2(startLoad), end: round2(endLoad) },
  indexes: indexes.map((index) => ({ name: index.name, projection: index.include ?? 'ALL' })),
  perTicket: {
    ...perTicket(totals),
    readUnits: per(readUnits.total),
    sqsRequests: per(sqsRequests),
    lambdaInvocations: per(lambdaInvocations),
    httpRequests: per(httpRequests),
    eventsPublished: per(events),
    cloudWatchLogBytes: Math.round(cloudWatchLogBytes / TICKETS),
  },
  byStateChange: Object.fromEntries(
    [...byState.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, tally]) => [name, perTicket(tally)]),
  ),
  byItemType: Object.fromEntries(
    [...byItem.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, tally]) => [name, perTicket(tally)]),
  ),
  readUnitsByStateChange: Object.fromEntries(
    Object.entries(readUnits.byState).map(([name, units]) => [name, per(units)]),
  ),
  lambda: Object.fromEntries(
    Object.entries(lambda).map(([name, entry]) => [
      name,
      {
        ...entry,
        perTicket: per(entry.invocations),
        gbSeconds: round2(entry.gbSeconds),
        memoryMb: memoryMbOf(name),
      },
    ]),
  ),
  httpInvocations,
  emptyLeases,
  sqs: {
    billedPerTicket: Object.fromEntries(Object.entries(sqsBilled).map(([a, n]) => [a, per(n)])),
    emptyReceives: sqsEmptyReceives,
  },
  dollarsPerMillionTickets: {
    ...Object.fromEntries(Object.entries(dollars).map(([k, v]) => [k, round2(v)])),
    total: round2(dollarsTotal),
  },
  prices: PRICES,
  checks: {
    noopWrites,
    unmatchedStreamRecords,
    reportedByDynamoDbLocalPerTicket: per(reportedWriteUnits),
    runtimeErrors: runtimeErrors.slice(0, 10),
  },
};

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);

function gitHead(): string | undefined {
  try {
    const head = readFileSync('.git/HEAD', 'utf8').trim();
    return head.startsWith('ref: ') ? readFileSync(join('.git', head.slice(5)), 'utf8').trim() : head;
  } catch {
    return undefined;
  }
}

// ---- report ----------------------------------------------------------------------------------------
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const indexNames = indexes.map((index) => index.name);
const row = (name: string, tally: ReturnType<typeof perTicket>) =>
  `| ${name} | ${fixed(tally.itemWrites)} | ${fixed(tally.writeUnits)} | ${fixed(tally.tableUnits)} | ${indexNames
    .map((index) => fixed(tally.indexUnits[index] ?? 0))
    .join(' | ')} |`;
console.log(
  [
    `${TICKETS} tickets, ${PROVIDERS} providers, ${result.seconds} s, load average ${result.loadAverage.start} → ${result.loadAverage.end}; results in ${args.out}`,
    '',
    `| per ticket | item writes | write units | table | ${indexNames.join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ${indexNames.map(() => '---:').join(' | ')} |`,
    ...Object.entries(result.byStateChange).map(([name, tally]) => row(name, tally)),
    row('**total**', result.perTicket),
    '',
    `read units ${fixed(result.perTicket.readUnits, 2)} · SQS requests ${fixed(result.perTicket.sqsRequests, 2)} · Lambda invocations ${fixed(result.perTicket.lambdaInvocations, 2)} · HTTP requests ${fixed(result.perTicket.httpRequests, 2)} · events ${fixed(result.perTicket.eventsPublished, 2)} · log bytes ${result.perTicket.cloudWatchLogBytes}`,
    `$ per million tickets: ${Object.entries(result.dollarsPerMillionTickets)
      .map(([name, value]) => `${name} ${fixed(value, 2)}`)
      .join(' · ')}`,
    `checks: ${JSON.stringify(result.checks)}`,
    `write units per ticket: ${fixed(result.perTicket.writeUnits)}`,
  ].join('\n'),
);
process.exit(0);
