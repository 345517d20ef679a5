// A ticket lifecycle load against `npm start` under AWS-like faults
// (OUTROUTE_FAULTS, default index-lag=1000ms,txn-conflict=0.05): tickets go
// intake → routed → leased → completed while a provider is created mid-run and
// another goes offline and comes back. Reports what AWS's worst would cost:
// lost tickets, double leases, capacity exceeded, metric drift, 5xx, 409s to
// valid lease holders, and parked spells that waited for the 60 s retry.
//
//   npm run bench:faults                       # 200 tickets
//   npm run bench:faults -- --tickets 50 --faults index-lag=1000ms
import { parseArgs } from 'node:util';
import { api as call, type Platform, startPlatform } from '../test/e2e/platform.js';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '200' },
    faults: { type: 'string', default: 'index-lag=1000ms,txn-conflict=0.05' },
    'deadline-seconds': { type: 'string', default: '300' },
  },
});
const TICKETS = Number(args.tickets);
const DEADLINE_MS = Number(args['deadline-seconds']) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const figures = {
  tickets: TICKETS,
  accepted: 0,
  completed: 0,
  lost: 0,
  doubleLeases: 0,
  overCapacityObservations: 0,
  routedCounter: 0,
  routingsInHistory: 0,
  completedCounter: 0,
  serverErrors: 0,
  conflictsToValidLeaseHolders: 0,
  parkedSpells: 0,
  parkedSpellsWaitingForTheMinuteRetry: 0,
  seconds: 0,
};
const statuses: Record<string, number> = {};

async function main() {
  const started = Date.now();
  const platform = await startPlatform({ OUTROUTE_FAULTS: args.faults, OUTROUTE_SWEEP_SECONDS: '5' });
  try {
    await run(platform);
  } finally {
    await platform.stop();
  }
  figures.seconds = Math.round((Date.now() - started) / 1000);
  console.log(JSON.stringify({ faults: args.faults, ...figures, openStatuses: statuses }, null, 2));
}

async function run(platform: Platform) {
  const request = async (method: string, path: string, body?: unknown, key?: string) => {
    for (;;) {
      const answer = await call(platform, method, path, { body, key });
      if (answer.status >= 500) figures.serverErrors++;
      // A client in AWS retries 5xx and 429 with backoff; so does this one.
      if (answer.status >= 500 || answer.status === 429) {
        // (complete too: a repeated complete with the same token answers the same result, API.md).
        await sleep(200 + Math.random() * 300);
        continue;
      }
      return answer;
    }
  };
  const provider = (capacity: number) => ({
    name: 'Bench',
    status: 'active',
    timeZone: 'UTC',
    skills: { billing: 3 },
    languages: ['en'],
    capacity,
    throughputPerHour: 600,
    costPerItem: 1,
    qualityScore: 0.9,
    dataClearance: 'confidential',
  });
  const providers = ['bench-a', 'bench-b'];
  for (const id of providers) await request('PUT', `/v1/providers/${id}`, provider(15));

  const sourceKey = (await request('POST', '/v1/sources/bench/keys')).body.apiKey as string;
  const ticketIds = new Set<string>();
  const leased = new Map<string, string>(); // ticketId → provider holding it now
  let submitting = true;
  let stopWorkers = false;

  const submit = async () => {
    for (let index = 0; index < TICKETS; index += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, TICKETS - index) }, async (_, offset) => {
          const answer = await request(
            'POST',
            '/v1/tickets',
            { externalId: `bench-${index + offset}`, kind: 'front_office', skill: 'billing', priority: 'P3' },
            sourceKey,
          );
          if (answer.status === 202 || answer.status === 200) ticketIds.add(answer.body.ticketId);
        }),
      );
      await sleep(400);
    }
    submitting = false;
  };

  const work = async (providerId: string) => {
    while (!stopWorkers) {
      const answer = await request('POST', `/v1/providers/${providerId}/lease`, {
        max: 5,
        leaseSeconds: 300,
      });
      const items = (answer.body?.items ?? []) as { ticketId: string; leaseToken: string }[];
      if (!items.length) {
        await sleep(300);
        continue;
      }
      for (const item of items) {
        if (leased.has(item.ticketId)) figures.doubleLeases++;
        leased.set(item.ticketId, providerId);
      }
      await Promise.all(
        items.map(async (item) => {
          await sleep(50 + Math.random() * 250);
          const done = await request('POST', `/v1/tickets/${item.ticketId}/complete`, {
            leaseToken: item.leaseToken,
          });
          if (done.status === 409) figures.conflictsToValidLeaseHolders++;
          if (done.status === 200) figures.completed++;
          leased.delete(item.ticketId);
        }),
      );
    }
  };

  const watchCapacity = async () => {
    while (!stopWorkers) {
      const answer = await request('GET', '/v1/providers');
      for (const item of (answer.body?.items ?? []) as { openItems: number; capacity: number }[])
        if (item.openItems > item.capacity) figures.overCapacityObservations++;
      await sleep(500);
    }
  };

  const script = async () => {
    await sleep(3000);
    // A provider created a moment before tickets need it.
    await request('PUT', '/v1/providers/bench-c', provider(15));
    providers.push('bench-c');
    workers.push(work('bench-c'));
    await sleep(5000);
    // A provider goes offline with work queued, and comes back.
    await request('POST', '/v1/providers/bench-b/status', { status: 'offline' });
    await sleep(20_000);
    await request('POST', '/v1/providers/bench-b/status', { status: 'active' });
  };

  const workers = providers.map((id) => work(id));
  const watcher = watchCapacity();
  const scripted = script();
  const deadline = Date.now() + DEADLINE_MS;
  await submit();
  await scripted;
  while (Date.now() < deadline && (submitting || figures.completed < ticketIds.size)) await sleep(1000);
  stopWorkers = true;
  await Promise.all([...workers, watcher]);

  figures.accepted = ticketIds.size;
  for (const ticketId of ticketIds) {
    const answer = await request('GET', `/v1/tickets/${ticketId}`);
    const ticket = answer.body as { status: string; history: { at: string; event: string }[] } | undefined;
    if (!ticket || answer.status !== 200) {
      figures.lost++;
      continue;
    }
    if (ticket.status !== 'completed') {
      figures.lost++;
      statuses[ticket.status] = (statuses[ticket.status] ?? 0) + 1;
    }
    const history = ticket.history ?? [];
    figures.routingsInHistory += history.filter((entry) => entry.event === 'queued').length;
    history.forEach((entry, index) => {
      if (entry.event !== 'parked') return;
      const next = history.slice(index + 1).find((later) => later.event !== 'parked');
      const end = next ? Date.parse(next.at) : Date.now();
      figures.parkedSpells++;
      if (end - Date.parse(entry.at) >= 55_000) figures.parkedSpellsWaitingForTheMinuteRetry++;
    });
  }
  // The counters are kept by the stream consumer: give it a moment to catch up.
  await sleep(5000);
  const metrics = await request('GET', '/v1/metrics/providers');
  for (const item of (metrics.body?.items ?? []) as { routed: number; completed: number }[]) {
    figures.routedCounter += item.routed;
    figures.completedCounter += item.completed;
  }
}

await main();
