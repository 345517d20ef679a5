import { beforeEach, describe, expect, it } from 'vitest';
import { handler as escalateHandler } from '../../functions/http/escalate-ticket.js';
import { handler as holdHandler } from '../../functions/http/hold-ticket.js';
import { handler as resumeHandler } from '../../functions/http/resume-ticket.js';
import { handler as transferHandler } from '../../functions/http/transfer-ticket.js';
import type { ProviderInput } from '../../shared/domain/schemas.js';
import { getProvider } from '../../shared/store/provider-store.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { escalateTicket, transferTicket } from '../../shared/use-cases/escalation.js';
import { holdTicket, resumeTicket } from '../../shared/use-cases/holds.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { sweep } from '../../shared/use-cases/sweep.js';
import { applyStreamCounters } from '../fixtures/stream-counters.js';
import { drainRoutingQueue, indexesSettled, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke, provider as providerKey, source } from '../fixtures/events.js';
import { expectAuditClean, givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';

const clock = new TestClock(Date.now());
const ctx = testContext(clock);
const HOUR_MS = 3_600_000;

/** A ticket queued and leased at a provider of its own (P2: due 4 h after creation). */
async function leasedTicket(overrides: Partial<ProviderInput> = {}, capacity = 5) {
  const skill = uniqueId('skill');
  const provider = await givenProvider(ctx, { capacity, skills: { [skill]: 3 }, ...overrides });
  const sourceId = uniqueId('crm');
  const ticketId = await givenTicket(ctx, sourceId, { skill, priority: 'P2' });
  expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
  const [item] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 900 });
  if (!item) throw new Error('nothing leased');
  return { provider, skill, sourceId, ticketId, leaseToken: item.leaseToken };
}

/** A provider's open units once the capacity given back so far is counted (the stream consumer's job). */
const openItems = async (providerId: string) => {
  await applyStreamCounters(ctx);
  return (await getProvider(ctx.table, providerId))?.openItems;
};

describe('holds: the provider keeps the ticket, the SLA clock stops', () => {
  beforeEach(async () => {
    await drainRoutingQueue();
  });

  it('capacity stays exact through hold → resume → complete, and the due moves by the time held', async () => {
    const { provider, ticketId, sourceId, leaseToken } = await leasedTicket();
    const dueBefore = (await getTicket(ctx.table, ticketId))?.dueAt ?? '';
    const view = await holdTicket(
      ctx,
      { principal: providerKey(provider.providerId), ticketId, leaseToken },
      { reason: 'awaiting_customer' },
    );
    expect(view).toMatchObject({
      status: 'on_hold',
      hold: { reason: 'awaiting_customer', keepsCapacity: true },
    });
    expect(await openItems(provider.providerId)).toBe(1);
    await expectAuditClean(ctx);

    clock.advance(3 * 3600);
    const resumed = await resumeTicket(ctx, source(sourceId), ticketId, 'customer replied');
    expect(resumed).toMatchObject({ status: 'queued', providerId: provider.providerId, resumed: true });
    expect(Date.parse(resumed.dueAt) - Date.parse(dueBefore)).toBe(3 * HOUR_MS);
    expect(resumed.sla.pausedSeconds).toBe(3 * 3600);
    expect(await openItems(provider.providerId)).toBe(1);

    await indexesSettled(); // the provider's queue is an index: the resumed ticket shows there after the lag
    const [again] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 900 });
    expect(again?.ticketId).toBe(ticketId);
    await completeTicket(
      ctx,
      { principal: providerKey(provider.providerId), ticketId, leaseToken: again?.leaseToken ?? '' },
      undefined,
    );
    const done = await getTicket(ctx.table, ticketId);
    expect(done?.sla.breached).toBe(false);
    expect(done?.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'leased',
      'held',
      'resumed',
      'leased',
      'completed',
    ]);
    expect(await openItems(provider.providerId)).toBe(0);
    await expectAuditClean(ctx);
  });

  it('a provider with holdKeepsCapacity false frees the slot on hold, takes it back on resume, or routes it again when full', async () => {
    const { provider, ticketId, skill, leaseToken } = await leasedTicket({ holdKeepsCapacity: false }, 1);
    await holdTicket(ctx, { principal: ADMIN, ticketId, leaseToken }, { reason: 'awaiting_third_party' });
    expect(await openItems(provider.providerId)).toBe(0);
    // Someone else's ticket fills the only slot meanwhile.
    const other = await givenTicket(ctx, uniqueId('crm'), { skill });
    expect(await routeNow(ctx, [other])).toStrictEqual(['queued']);
    expect(await openItems(provider.providerId)).toBe(1);
    const resumed = await resumeTicket(ctx, ADMIN, ticketId, undefined);
    expect(resumed).toMatchObject({ status: 'received', providerId: null });
    expect(await drainRoutingQueue()).toContain(ticketId);
    expect(await openItems(provider.providerId)).toBe(1);
    await expectAuditClean(ctx);
  });

  it('two resumes at once: one resumes, the other answers the resumed ticket; one resumed entry', async () => {
    const { provider, ticketId, sourceId, leaseToken } = await leasedTicket();
    await holdTicket(ctx, { principal: ADMIN, ticketId, leaseToken }, { reason: 'awaiting_source' });
    clock.advance(600);
    const answers = await Promise.all([
      resumeTicket(ctx, source(sourceId), ticketId, undefined),
      resumeTicket(ctx, providerKey(provider.providerId), ticketId, undefined),
    ]);
    expect(answers.map((answer) => answer.status)).toStrictEqual(['queued', 'queued']);
    expect(answers.filter((answer) => answer.resumed)).toHaveLength(1);
    const stored = await getTicket(ctx.table, ticketId);
    expect(stored?.history.filter((entry) => entry.event === 'resumed')).toHaveLength(1);
    expect(await openItems(provider.providerId)).toBe(1);
    await expectAuditClean(ctx);
  });

  it('resume while the hold is being expired: exactly one of them happens, capacity exact', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { provider, ticketId, sourceId, leaseToken } = await leasedTicket();
      await holdTicket(ctx, { principal: ADMIN, ticketId, leaseToken }, { reason: 'awaiting_customer' });
      clock.advance(7 * 86_400);
      const [resumed] = await Promise.allSettled([
        resumeTicket(ctx, source(sourceId), ticketId, undefined),
        sweep(ctx),
      ]);
      const stored = await getTicket(ctx.table, ticketId);
      const events = stored?.history.map((entry) => entry.event) ?? [];
      if (stored?.status === 'cancelled') {
        expect(stored.history.at(-1)).toMatchObject({ event: 'cancelled', reason: 'hold_expired' });
        expect(events).not.toContain('resumed');
        expect(resumed).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
        expect(await openItems(provider.providerId)).toBe(0);
      } else {
        expect(stored?.status).toBe('queued');
        expect(events).not.toContain('cancelled');
        expect(resumed.status).toBe('fulfilled');
        expect(await openItems(provider.providerId)).toBe(1);
      }
      outcomes.add(stored?.status ?? '');
      await expectAuditClean(ctx);
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });

  it('the sweeper resumes a hold at until and expires one held past maxHoldSeconds (hold_expired)', async () => {
    const a = await leasedTicket();
    const b = await leasedTicket();
    const until = new Date(clock.now() + HOUR_MS).toISOString();
    await holdTicket(
      ctx,
      { principal: ADMIN, ticketId: a.ticketId, leaseToken: a.leaseToken },
      { reason: 'awaiting_customer', until },
    );
    await holdTicket(
      ctx,
      { principal: ADMIN, ticketId: b.ticketId, leaseToken: b.leaseToken },
      { reason: 'awaiting_customer' },
    );
    clock.advance(3600);
    await sweep(ctx);
    expect((await getTicket(ctx.table, a.ticketId))?.status).toBe('queued');
    expect((await getTicket(ctx.table, b.ticketId))?.status).toBe('on_hold');
    clock.advance(7 * 86_400);
    await sweep(ctx);
    const expired = await getTicket(ctx.table, b.ticketId);
    expect(expired?.status).toBe('cancelled');
    expect(expired?.history.at(-1)).toMatchObject({ event: 'cancelled', reason: 'hold_expired' });
    expect(await openItems(b.provider.providerId)).toBe(0);
    await expectAuditClean(ctx);
  });

  it('HTTP: 400 for a bad reason or an until in the past, 404 for another provider, 409 without a lease', async () => {
    const { provider, ticketId, leaseToken } = await leasedTicket();
    const route = 'POST /v1/tickets/{ticketId}/hold';
    const params = { ticketId };
    const bad = await invoke(holdHandler, route, {
      principal: providerKey(provider.providerId),
      params,
      body: { leaseToken, reason: 'lunch' },
    });
    expect(bad.statusCode).toBe(400);
    const past = await invoke(holdHandler, route, {
      principal: providerKey(provider.providerId),
      params,
      body: { leaseToken, reason: 'awaiting_customer', until: new Date(clock.now() - 1000).toISOString() },
    });
    expect(past).toMatchObject({ statusCode: 400, body: { error: { details: [{ path: 'until' }] } } });
    const stranger = await invoke(holdHandler, route, {
      principal: providerKey(uniqueId('other')),
      params,
      body: { leaseToken, reason: 'awaiting_customer' },
    });
    expect(stranger.statusCode).toBe(404);
    const ok = await invoke(holdHandler, route, {
      principal: providerKey(provider.providerId),
      params,
      body: { leaseToken, reason: 'awaiting_customer' },
    });
    expect(ok).toMatchObject({ statusCode: 200, body: { status: 'on_hold' } });
    const twice = await invoke(holdHandler, route, {
      principal: providerKey(provider.providerId),
      params,
      body: { leaseToken, reason: 'awaiting_customer' },
    });
    // A retry of the same hold answers the same; another lease token is a conflict.
    expect(twice).toMatchObject({ statusCode: 200, body: { status: 'on_hold' } });
    const other = await invoke(holdHandler, route, {
      principal: providerKey(provider.providerId),
      params,
      body: { leaseToken: 'another-token', reason: 'awaiting_customer' },
    });
    expect(other.statusCode).toBe(409);
    const strangerResume = await invoke(resumeHandler, 'POST /v1/tickets/{ticketId}/resume', {
      principal: source(uniqueId('crm')),
      params,
    });
    expect(strangerResume.statusCode).toBe(404);
    const resume = await invoke(resumeHandler, 'POST /v1/tickets/{ticketId}/resume', {
      principal: providerKey(provider.providerId),
      params,
      body: { note: 'documents arrived' },
    });
    expect(resume).toMatchObject({ statusCode: 200, body: { status: 'queued' } });
  });
});

describe('escalation and transfer', () => {
  beforeEach(async () => {
    await drainRoutingQueue();
  });

  it('an escalated ticket is routed to the tier-2 provider with its createdAt and due; capacity exact', async () => {
    const { provider, ticketId, leaseToken } = await leasedTicket();
    const tier2Skill = uniqueId('tier2');
    const tier2 = await givenProvider(ctx, { capacity: 3, skills: { [tier2Skill]: 4 } });
    const before = await getTicket(ctx.table, ticketId);
    const view = await escalateTicket(
      ctx,
      { principal: providerKey(provider.providerId), ticketId, leaseToken },
      { skill: tier2Skill, minProficiency: 4, note: 'needs tier 2' },
    );
    expect(view).toMatchObject({ status: 'received', skill: tier2Skill });
    // A retried escalation answers the same and changes nothing.
    const again = await escalateTicket(
      ctx,
      { principal: providerKey(provider.providerId), ticketId, leaseToken },
      { skill: tier2Skill, minProficiency: 4, note: 'needs tier 2' },
    );
    expect(again).toMatchObject({ status: 'received', skill: tier2Skill });
    expect(await openItems(provider.providerId)).toBe(0);
    expect(await drainRoutingQueue()).toContain(ticketId);
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    const after = await getTicket(ctx.table, ticketId);
    expect(after).toMatchObject({
      providerId: tier2.providerId,
      createdAt: before?.createdAt,
      dueAt: before?.dueAt,
      minProficiency: 4,
    });
    expect(after?.rejectedBy ?? []).toStrictEqual([]);
    expect(after?.history.filter((entry) => entry.event === 'escalated')).toHaveLength(1);
    expect(await openItems(tier2.providerId)).toBe(1);
    await expectAuditClean(ctx);
  });

  it('HTTP escalate: the same skill without a higher proficiency is a 400', async () => {
    const { provider, ticketId, skill, leaseToken } = await leasedTicket();
    const answer = await invoke(escalateHandler, 'POST /v1/tickets/{ticketId}/escalate', {
      principal: providerKey(provider.providerId),
      params: { ticketId },
      body: { leaseToken, skill, note: 'same' },
    });
    expect(answer.statusCode).toBe(400);
  });

  it('transfer moves a queued or held ticket and its capacity; hard filters and a full provider → 409', async () => {
    const skill = uniqueId('skill');
    const from = await givenProvider(ctx, { capacity: 2, skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    const queuedAt = (await getTicket(ctx.table, ticketId))?.providerId;
    const to = await givenProvider(ctx, { capacity: 1, skills: { [skill]: 2 } });
    const noSkill = await givenProvider(ctx, { capacity: 5, skills: { [uniqueId('other')]: 5 } });
    await expect(transferTicket(ctx, ADMIN, ticketId, noSkill.providerId)).rejects.toMatchObject({
      code: 'conflict',
      details: [{ path: 'providerId', message: 'missing_skill' }],
    });
    const target = queuedAt === to.providerId ? from : to;
    const moved = await transferTicket(ctx, ADMIN, ticketId, target.providerId);
    expect(moved).toMatchObject({ status: 'queued', providerId: target.providerId });
    expect(await openItems(target.providerId)).toBe(1);
    expect(await openItems(queuedAt ?? '')).toBe(0);
    await expectAuditClean(ctx);

    // A held ticket moves with its hold; the full provider refuses.
    const held = await leasedTicket();
    await holdTicket(
      ctx,
      { principal: ADMIN, ticketId: held.ticketId, leaseToken: held.leaseToken },
      { reason: 'awaiting_customer' },
    );
    const full = await givenProvider(ctx, { capacity: 0, skills: { [held.skill]: 3 } });
    await expect(transferTicket(ctx, ADMIN, held.ticketId, full.providerId)).rejects.toMatchObject({
      code: 'conflict',
    });
    const roomy = await givenProvider(ctx, { capacity: 2, skills: { [held.skill]: 3 } });
    const movedHold = await transferTicket(ctx, ADMIN, held.ticketId, roomy.providerId);
    expect(movedHold).toMatchObject({ status: 'on_hold', providerId: roomy.providerId });
    expect(await openItems(held.provider.providerId)).toBe(0);
    expect(await openItems(roomy.providerId)).toBe(1);
    await expectAuditClean(ctx);

    const forbidden = await invoke(transferHandler, 'POST /v1/tickets/{ticketId}/transfer', {
      principal: providerKey(roomy.providerId),
      params: { ticketId: held.ticketId },
      body: { providerId: roomy.providerId },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
