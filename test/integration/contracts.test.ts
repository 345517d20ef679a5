// Issue 10 through DynamoDB Local: contract versions, KPI counters fed by replayed stream records (each
// change counted once), feedback and reopening, the scorecard, period closing and late counts.
import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as getScorecard } from '../../functions/http/get-provider-scorecard.js';
import { handler as giveFeedbackHandler } from '../../functions/http/give-feedback.js';
import { handler as putContractHandler } from '../../functions/http/put-provider-contract.js';
import { handler as processChanges } from '../../functions/stream/process-changes.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { readKpiMonths, getStatement } from '../../shared/store/contract-store.js';
import { statementKey } from '../../shared/store/keys.js';
import { setProviderStatus } from '../../shared/store/provider-store.js';
import { getTicket, ticketItem } from '../../shared/store/ticket-store.js';
import {
  closeEndedPeriods,
  listContracts,
  providerScorecard,
  readContract,
} from '../../shared/use-cases/contracts.js';
import { giveFeedback } from '../../shared/use-cases/feedback.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { drainRoutingQueue, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke } from '../fixtures/events.js';
import { givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';
import { streamEvent, streamRecord } from '../fixtures/stream.js';

const clock = new TestClock(Date.parse('2026-11-23T15:00:00.000Z'));
const ctx = testContext(clock);

const CONTRACT = {
  effectiveFrom: '2026-11-01',
  timeZone: 'America/New_York',
  currency: 'USD',
  period: 'month',
  rates: [{ skill: 'claims', perItem: '4.20' }, { perItem: '3.00' }],
  minimumVolume: { items: 10, shortfallPerItem: '1.50' },
  kpis: [
    { id: 'quality', metric: 'quality_score', target: 0.85, credit: { percentOfFees: 10 } },
    { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 5 } },
  ],
  breachPenalties: { P1: '5.00' },
  creditCapPercent: 50,
};

/** Runs a change and returns its stream record, to be delivered (and replayed) at will. */
async function change(ticketId: string, act: () => Promise<unknown>) {
  const before = await getTicket(ctx.table, ticketId);
  await act();
  const after = await getTicket(ctx.table, ticketId);
  return streamRecord(before && ticketItem(before), ticketItem(after!));
}
const deliver = (...records: ReturnType<typeof streamRecord>[]) =>
  processChanges(streamEvent(records), lambdaContext('process-changes'));

async function leaseAndComplete(providerId: string, ticketId: string) {
  const records = [];
  let token = '';
  records.push(
    await change(ticketId, async () => {
      const [item] = await leaseTickets(ctx, providerId, { max: 1, leaseSeconds: 600 });
      token = item?.leaseToken ?? '';
    }),
  );
  clock.advance(540);
  records.push(
    await change(ticketId, () =>
      completeTicket(ctx, { principal: ADMIN, ticketId, leaseToken: token }, 'done'),
    ),
  );
  return records;
}

describe('contracts, KPI counting and scorecards', () => {
  it('keeps every version; GET answers the one in force now or at a given instant', async () => {
    const provider = await givenProvider(ctx);
    const path = { providerId: provider.providerId };
    const first = await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: path,
      body: CONTRACT,
    });
    expect(first.statusCode).toBe(201);
    const again = await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: path,
      body: CONTRACT,
    });
    expect([again.statusCode, again.body.version]).toStrictEqual([200, 1]);
    const december = await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: path,
      body: { ...CONTRACT, effectiveFrom: '2026-12-01', rates: [{ perItem: '3.50' }] },
    });
    expect([december.statusCode, december.body.version]).toStrictEqual([201, 2]);
    expect((await readContract(ctx, provider.providerId)).version).toBe(1);
    expect((await readContract(ctx, provider.providerId, '2026-12-01T05:00:00.000Z')).version).toBe(2);
    expect((await listContracts(ctx, provider.providerId)).items.map((v) => v.version)).toStrictEqual([2, 1]);
    const bad = await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: path,
      body: { ...CONTRACT, rates: [{ skill: 'claims', perItem: '4.205' }] },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('counts completion, feedback and reopening once under replayed stream records', async () => {
    const skill = uniqueId('claims');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: { providerId: provider.providerId },
      body: { ...CONTRACT, rates: [{ skill, perItem: '4.20' }, { perItem: '3.00' }] },
    });
    const sourceId = uniqueId('crm');
    const ticketId = await givenTicket(ctx, sourceId, { skill, priority: 'P2' });
    const routed = await change(ticketId, () => routeNow(ctx, [ticketId]));
    const [leased, completed] = await leaseAndComplete(provider.providerId, ticketId);
    clock.advance(60);
    const rated = await change(ticketId, () => giveFeedback(ctx, ADMIN, ticketId, { qaScore: 0.8, csat: 4 }));
    clock.advance(60);
    const reopened = await change(ticketId, () =>
      giveFeedback(ctx, ADMIN, ticketId, { reopen: true, reason: 'customer replied: not fixed' }),
    );
    // a retried reopen answers the reopened ticket and changes nothing
    const retried = await invoke(giveFeedbackHandler, 'POST /v1/tickets/{ticketId}/feedback', {
      principal: ADMIN,
      params: { ticketId },
      body: { reopen: true, reason: 'customer replied: not fixed' },
    });
    expect([retried.statusCode, retried.body.status, retried.body.reopened]).toStrictEqual([
      200,
      'queued',
      1,
    ]);
    expect(retried.body.providerId).toBe(provider.providerId);

    // Lambda's replays: the batch's first records, then the batch again from the same start with more
    // records, then all of it once more (a retry after a timeout).
    const all = [routed, leased!, completed!, rated, reopened];
    await deliver(routed, leased!);
    await deliver(...all);
    await deliver(...all);

    // the rework: leased and completed again at the same provider, not billed again
    const [released, recompleted] = await leaseAndComplete(provider.providerId, ticketId);
    await deliver(released!, recompleted!);
    await deliver(released!, recompleted!);
    await deliver(released!);

    const months = await readKpiMonths(ctx.table, provider.providerId, '2026-11', '2026-11');
    expect(months.get('2026-11')).toMatchObject({
      routed: 2,
      leased: 2,
      completed: 1,
      reworkCompleted: 1,
      met: 1,
      feesMinor: 420,
      qaSum: 800_000,
      qaCount: 1,
      csatSum: 4,
      csatCount: 1,
      reopened: 1,
      handleCount: 2,
      'handle#9': 2,
    });

    const card = await invoke(getScorecard, 'GET /v1/providers/{providerId}/scorecard', {
      principal: ADMIN,
      params: { providerId: provider.providerId },
      query: { period: '2026-11' },
    });
    expect(card.statusCode).toBe(200);
    // fees 4.20; quality 0.80 < 0.85 → 10 % = 0.42; reopens 1/1 > 0.05 → 5 % = 0.21 (0.63 under the 2.10 cap);
    // shortfall (10 − 1) × 1.50 = 13.50; net 4.20 + 13.50 − 0.63 = 17.07
    expect(card.body).toMatchObject({
      final: false,
      fees: '4.20',
      kpiCredits: '0.63',
      capApplied: false,
      shortfall: '13.50',
      netPayable: '17.07',
    });
    // on the test's clock (23 November) the period is open: a projection, with the KPIs missed at risk
    expect((await providerScorecard(ctx, provider.providerId, '2026-11')).projection).toMatchObject({
      kpisAtRisk: ['quality', 'reopens'],
    });
  });

  it('routes a reopened ticket like any other when the provider that completed it is paused', async () => {
    const skill = uniqueId('refunds');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    await routeNow(ctx, [ticketId]);
    await leaseAndComplete(provider.providerId, ticketId);
    await setProviderStatus(ctx.table, provider.providerId, 'paused', new Date(ctx.now()).toISOString());
    await drainRoutingQueue();
    const reopened = await giveFeedback(ctx, ADMIN, ticketId, { reopen: true, reason: 'wrong refund' });
    expect([reopened.status, reopened.providerId, reopened.reopened]).toStrictEqual(['received', null, 1]);
    expect(reopened.history.at(-1)).toMatchObject({ event: 'reopened', reason: 'wrong refund' });
    expect(await drainRoutingQueue()).toContain(ticketId);
    expect(Date.parse(reopened.dueAt) - ctx.now()).toBe(86_400_000);
  });

  it('freezes an ended period once and lists what is counted later as an adjustment of the next', async () => {
    const skill = uniqueId('billing');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    await invoke(putContractHandler, 'PUT /v1/providers/{providerId}/contract', {
      principal: ADMIN,
      params: { providerId: provider.providerId },
      body: { ...CONTRACT, minimumVolume: undefined, kpis: [], effectiveFrom: '2026-10-01' },
    });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P3' });
    const records = [await change(ticketId, () => routeNow(ctx, [ticketId]))];
    records.push(...(await leaseAndComplete(provider.providerId, ticketId)));
    await deliver(...records);

    const saved = clock.nowMs;
    clock.nowMs = Date.parse('2026-12-01T05:00:01.000Z'); // just after November ends in New York
    const closed = await closeEndedPeriods(ctx);
    expect(closed.closed).toContain(`${provider.providerId}:2026-11`);
    expect((await closeEndedPeriods(ctx)).closed).not.toContain(`${provider.providerId}:2026-11`);
    const frozen = await getStatement(ctx.table, provider.providerId, '2026-11');
    expect(frozen?.scorecard).toMatchObject({ final: true, fees: '3.00', netPayable: '3.00' });
    // the stream publishes provider.scorecard_closed for the stored statement
    const item = await ctx.table.db.send(
      new GetCommand({ TableName: ctx.table.name, Key: statementKey(provider.providerId, '2026-11') }),
    );
    await deliver(streamRecord(undefined, item.Item!));
    const events = readFileSync(process.env.EVENT_LOG_FILE ?? '', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter(
        (event) => event.type === 'provider.scorecard_closed' && event.providerId === provider.providerId,
      );
    expect(events.map((event) => [event.period, event.netPayable, event.currency])).toStrictEqual([
      ['2026-11', '3.00', 'USD'],
    ]);

    // a late ticket of November: completed before the end, its record delivered after the close
    clock.nowMs = saved;
    const late = await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P3' });
    const lateRecords = [await change(late, () => routeNow(ctx, [late]))];
    lateRecords.push(...(await leaseAndComplete(provider.providerId, late)));
    clock.nowMs = Date.parse('2026-12-02T12:00:00.000Z');
    await deliver(...lateRecords);

    const november = await invoke(getScorecard, 'GET /v1/providers/{providerId}/scorecard', {
      principal: ADMIN,
      params: { providerId: provider.providerId },
      query: { period: '2026-11' },
    });
    expect(november.body).toMatchObject({ final: true, fees: '3.00', netPayable: '3.00' });
    const december = await invoke(getScorecard, 'GET /v1/providers/{providerId}/scorecard', {
      principal: ADMIN,
      params: { providerId: provider.providerId },
      query: { period: '2026-12' },
    });
    expect(december.body.adjustments).toStrictEqual([
      {
        period: '2026-11',
        netPayable: '3.00',
        counts: expect.objectContaining({ completed: 1, feesMinor: 300 }),
      },
    ]);
    expect(december.body.netPayableWithAdjustments).toBe('3.00');
    clock.nowMs = saved;
  });
});
