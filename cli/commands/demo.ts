// demo: seeds three providers and a source, streams realistic tickets and
// (unless --no-work) has the providers work their queues, then sums up.
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { type ApiClient, adminClient } from '../lib/api-client.js';
import { ApiError } from '../lib/errors.js';
import { fixed, paint, percent, plural, table } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';
import type { Scorecard } from '../../shared/domain/scorecard.js';
import { DEMO_PROVIDERS, DEMO_ROUTING_POLICY, DEMO_SOURCE_ID } from '../demo/providers.js';
import { demoTicket, externalIdFor, newRunId, type Random, seededRandom } from '../demo/tickets.js';
import { type ProviderWork, startProviderWork } from '../demo/work.js';

interface DemoOptions {
  rate: number;
  count: number;
  work: boolean;
  handleSeconds: number;
  drainTimeout: number;
  seed?: number;
}

interface ProviderMetrics {
  providerId: string;
  status?: string;
  routed: number;
  completed: number;
  breached: number;
  slaAttainment: number | null;
  openItems: number;
  capacity: number;
  utilization: number;
  costTotal: number;
}

const number =
  (min: number, integer = false) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed)))
      throw new InvalidArgumentError(`a${integer ? ' whole' : ''} number, at least ${min}`);
    return parsed;
  };

const MAX_IN_FLIGHT = 32;

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'seed three BPO providers and a source, stream realistic tickets and let the providers work them',
    )
    .option('--rate <perSecond>', 'tickets sent per second', number(0.01), 2)
    .option('--count <tickets>', 'how many tickets to send', number(0, true), 200)
    .option('--no-work', 'do not simulate the providers working their queues')
    .option('--handle-seconds <seconds>', 'average time a simulated agent spends on an item', number(0), 3)
    .option(
      '--drain-timeout <seconds>',
      'after the last ticket, wait at most this long for routing and open queues to empty',
      number(0),
      60,
    )
    .option('--seed <n>', 'seed for the ticket generator, to replay the same mix', number(0, true))
    .addHelpText(
      'after',
      `
Providers: manila-bpo (Asia/Manila, offshore, cheap, big), cdmx-nearshore (America/Mexico_City,
Spanish and English) and austin-onshore (America/Chicago, restricted data, top quality). Their
business hours together cover the whole week. Re-running is safe: providers are replaced, and
every run has its own external ids. Ctrl-C stops early and still prints the summary.`,
    )
    .action(async (options: DemoOptions, command: Command) => {
      const client = adminClient(settingsOf(command));
      await runDemo(client, options);
    });
}

async function runDemo(client: ApiClient, options: DemoOptions): Promise<void> {
  const random: Random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const runId = newRunId();
  const notes: string[] = [];

  // Seed: providers, their keys, the routing policy and the source key.
  const providerKeys = new Map<string, string>();
  for (const provider of DEMO_PROVIDERS) {
    await client.put(`/v1/providers/${provider.providerId}`, provider.input);
    providerKeys.set(
      provider.providerId,
      (await client.post<{ apiKey: string }>(`/v1/providers/${provider.providerId}/keys`)).apiKey,
    );
  }
  await client.put('/v1/routing-policy', DEMO_ROUTING_POLICY);
  // Contracts, effective from the start of this month in their time zone (the same month again stores nothing).
  for (const provider of DEMO_PROVIDERS) {
    const effectiveFrom = DateTime.now().setZone(provider.contract.timeZone).startOf('month').toISODate();
    await client.put(`/v1/providers/${provider.providerId}/contract`, {
      ...provider.contract,
      effectiveFrom,
    });
  }
  const sourceKey = (await client.post<{ apiKey: string }>(`/v1/sources/${DEMO_SOURCE_ID}/keys`)).apiKey;
  const providers = await client.get<{
    items: { providerId: string; openNow?: boolean; timeZone: string }[];
  }>('/v1/providers');
  const seeded = providers.items.filter((item) => providerKeys.has(item.providerId));
  console.log(
    `seeded ${seeded
      .map(
        (item) => `${item.providerId} (${item.timeZone}, ${item.openNow === false ? 'closed' : 'open'} now)`,
      )
      .join(', ')}`,
  );
  console.log(`source ${DEMO_SOURCE_ID}: key ${sourceKey} (shown once)`);
  console.log(
    `run ${runId}: ${plural(options.count, 'ticket')} at ${options.rate}/s${options.work ? ', providers working' : ', no simulated work'}\n`,
  );

  // Ctrl-C: stop sending and waiting, then sum up; a second Ctrl-C quits at once.
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onInterrupt);

  const workers: ProviderWork[] = options.work
    ? DEMO_PROVIDERS.map((provider) =>
        startProviderWork(client, provider, providerKeys.get(provider.providerId)!, {
          handleSeconds: options.handleSeconds,
          random,
          onError: (message) => notes.length < 20 && notes.push(message),
        }),
      )
    : [];
  let firstTicketId: string | undefined;
  try {
    const startedAt = performance.now();
    const sent = await streamWithProgress(
      client,
      { sourceKey, options, random, runId, workers, notes },
      () => interrupted,
    );
    firstTicketId = sent.firstTicketId;
    const elapsed = (performance.now() - startedAt) / 1000;
    console.log(
      `sent ${sent.accepted} of ${options.count} tickets in ${elapsed.toFixed(1)} s` +
        (sent.failed ? `, ${sent.failed} refused` : '') +
        (interrupted ? ' (stopped by Ctrl-C)' : ''),
    );

    if (!interrupted && options.drainTimeout > 0 && sent.accepted > 0) {
      process.stderr.write(
        options.work
          ? 'waiting for routing and the open providers to empty their queues…\n'
          : 'waiting for routing…\n',
      );
      const drained = await waitForDrain(
        client,
        runId,
        workers,
        options.drainTimeout * 1000,
        () => interrupted,
      );
      if (!drained)
        notes.push(`stopped waiting after ${options.drainTimeout} s; work is still going on in the platform`);
    }
  } finally {
    // Agents finish the item in hand, so nothing stays leased to a demo that has gone.
    await Promise.allSettled(workers.map((work) => work.stop()));
    process.off('SIGINT', onInterrupt);
  }

  await printSummary(client, workers, notes);
  if (notes.length)
    console.log(`\n${paint('yellow', 'notes:')}\n${notes.map((note) => `  ${note}`).join('\n')}`);
  if (firstTicketId) {
    console.log(`\nexplore: npm run outroute -- tickets show ${firstTicketId}`);
    console.log('         npm run outroute -- events tail -n 20');
  }
}

interface StreamContext {
  sourceKey: string;
  options: DemoOptions;
  random: Random;
  runId: string;
  workers: ProviderWork[];
  notes: string[];
}

interface SendCounts {
  accepted: number;
  failed: number;
  firstTicketId?: string;
}

/** Streams the tickets behind a progress bar (on a terminal); a refused ticket is noted, a lost platform ends it. */
async function streamWithProgress(
  client: ApiClient,
  context: StreamContext,
  interrupted: () => boolean,
): Promise<SendCounts> {
  const { options, workers, notes } = context;
  const bar = new cliProgress.SingleBar(
    {
      format:
        'tickets {bar} {value}/{total} | {sendRate}/s | failed {failed} | leased {leased} | completed {completed}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const sent: SendCounts = { accepted: 0, failed: 0 };
  const progress = () => {
    const total = (key: 'leased' | 'completed') => workers.reduce((sum, work) => sum + work.stats[key], 0);
    return { failed: sent.failed, leased: total('leased'), completed: total('completed') };
  };
  const startedAt = performance.now();
  bar.start(options.count, 0, { ...progress(), sendRate: '0.0' });
  const refresh = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    bar.update({ ...progress(), sendRate: (sent.accepted / Math.max(seconds, 0.001)).toFixed(1) });
  }, 250);

  let fatal: Error | undefined;
  try {
    await streamTickets(client, context, sent, {
      onSent: () => bar.increment(1, progress()),
      shouldStop: () => interrupted() || fatal !== undefined,
      onError: (error) => {
        if (!(error instanceof ApiError)) fatal ??= error as Error;
        else if (notes.length < 20) notes.push(`ticket refused: ${error.message}`);
      },
    });
  } finally {
    clearInterval(refresh);
    bar.update(progress());
    bar.stop();
  }
  if (fatal) throw fatal;
  return sent;
}

/** Sends `count` tickets at `rate` per second, a bounded number in flight; retries a throttled one. */
async function streamTickets(
  client: ApiClient,
  { sourceKey, options, random, runId }: StreamContext,
  sent: SendCounts,
  hooks: { onSent: () => void; shouldStop: () => boolean; onError: (error: unknown) => void },
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const sendOne = async (index: number) => {
    const body = demoTicket(random, runId, index);
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await client.post<{ ticketId: string }>('/v1/tickets', body, { key: sourceKey });
        sent.accepted++;
        sent.firstTicketId ??= created.ticketId;
        break;
      } catch (error) {
        if (error instanceof ApiError && error.status === 429 && attempt < 3) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        sent.failed++;
        hooks.onError(error);
        break;
      }
    }
    hooks.onSent();
  };
  for (let index = 0; index < options.count && !hooks.shouldStop(); index++) {
    const wait = start + (index * 1000) / options.rate - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const pending: Promise<void> = sendOne(index).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.allSettled(inFlight);
}

/**
 * Done when no ticket of this run waits for routing and every open demo
 * provider found its queue empty, twice in a row (released and rejected
 * tickets come back through routing).
 */
async function waitForDrain(
  client: ApiClient,
  runId: string,
  workers: ProviderWork[],
  timeoutMs: number,
  interrupted: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const prefix = externalIdFor(runId, 0).slice(0, -4);
  let quietReadings = 0;
  while (Date.now() < deadline && !interrupted()) {
    const { items } = await client.get<{ items: { externalId: string }[] }>('/v1/tickets', {
      query: { status: 'received', sourceId: DEMO_SOURCE_ID, limit: 200 },
    });
    const waiting = items.filter((item) => item.externalId.startsWith(prefix)).length;
    const busy = workers.some((work) => !work.isIdle());
    quietReadings = waiting === 0 && !busy ? quietReadings + 1 : 0;
    if (quietReadings >= 2) return true;
    await sleep(750);
  }
  return interrupted();
}

async function printSummary(client: ApiClient, workers: ProviderWork[], notes: string[]): Promise<void> {
  // The counters come from the table stream: give them a moment to catch up.
  await sleep(1000);
  const metrics = await client.get<{ from: string; to: string; items: ProviderMetrics[] }>(
    '/v1/metrics/providers',
  );
  const demoIds = new Set(DEMO_PROVIDERS.map((provider) => provider.providerId));
  const rows = [...metrics.items]
    .sort(
      (a, b) => Number(demoIds.has(b.providerId)) - Number(demoIds.has(a.providerId)) || b.routed - a.routed,
    )
    .map((item) => [
      item.providerId,
      String(item.routed),
      String(item.completed),
      String(item.breached),
      percent(item.slaAttainment),
      `${item.openItems}/${item.capacity}`,
      percent(item.utilization),
      fixed(item.costTotal),
    ]);
  console.log(`\n${paint('bold', 'Routed per provider, last 24 h')} (GET /v1/metrics/providers)`);
  console.log(
    table(
      ['provider', 'routed', 'completed', 'breached', 'SLA met', 'open/capacity', 'utilization', 'cost'],
      rows,
      {
        right: [1, 2, 3, 4, 5, 6, 7],
      },
    ),
  );
  if (workers.length) {
    console.log(`\n${paint('bold', 'Simulated work, this run')}`);
    console.log(
      table(
        ['provider', 'open now', 'leased', 'completed', 'released', 'rejected', 'lost leases'],
        workers.map((work) => [
          work.providerId,
          work.isOpen() ? 'yes' : 'no',
          String(work.stats.leased),
          String(work.stats.completed),
          String(work.stats.released),
          String(work.stats.rejected),
          String(work.stats.lostLeases),
        ]),
        { right: [2, 3, 4, 5, 6] },
      ),
    );
  }
  const month = DateTime.now().setZone(DEMO_PROVIDERS[0]!.contract.timeZone).toFormat('yyyy-MM');
  const { items: cards } = await client.get<{ items: Scorecard[] }>('/v1/scorecards', {
    query: { period: month },
  });
  const demoCards = cards.filter((card) => demoIds.has(card.providerId));
  if (demoCards.length) {
    console.log(
      `\n${paint('bold', `Contract scorecards, ${month}`)} (outroute scorecards --period ${month})`,
    );
    console.log(
      table(
        [
          'provider',
          'completed',
          'fees',
          'credits',
          'shortfall',
          'net payable',
          'projected net',
          'missed KPIs',
        ],
        demoCards.map((card) => [
          card.providerId,
          String(card.volume.completed),
          card.fees,
          card.credits,
          card.shortfall,
          card.netPayable,
          card.projection?.netPayable ?? '',
          card.kpis
            .filter((kpi) => !kpi.met)
            .map((kpi) => kpi.id)
            .join(', ') || '-',
        ]),
        { right: [1, 2, 3, 4, 5, 6] },
      ),
    );
  }
  const routed = metrics.items.reduce((sum, item) => sum + item.routed, 0);
  if (!routed)
    notes.push(
      'no ticket has been routed in the last 24 h yet: is routing working? (see the npm start output)',
    );
}
