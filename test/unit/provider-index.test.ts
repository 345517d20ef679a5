// What routing decisions keep per set of provider snapshots (ProviderIndex), the calendar slots they read
// through, and the share standings they refill: each gives the answers of what it stands in for.
import { describe, expect, it } from 'vitest';
import { CalendarCache, CalendarSlot } from '../../shared/domain/calendar.js';
import { decideRoute } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY } from '../../shared/domain/schemas.js';
import { ShareStandings } from '../../shared/domain/shares.js';
import { ProviderIndex, providerIndex } from '../../shared/domain/skill-index.js';
import { DAY, HOUR, NOW, providerSnapshot, routableTicket } from '../fixtures/routing-entities.js';
import { decideRouteReference } from './routing-reference.js';

const manila = (providerId: string, version = 1) =>
  providerSnapshot(providerId, {
    version,
    timeZone: 'Asia/Manila',
    businessHours: { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']] },
  });

describe('CalendarCache.getRemembered', () => {
  it('answers as get() does, compiling when get() would', () => {
    const cache = new CalendarCache({ horizonDays: 10, minDaysAhead: 5 });
    const twin = new CalendarCache({ horizonDays: 10, minDaysAhead: 5 });
    const slot = new CalendarSlot();
    let provider = manila('a');
    const other = manila('b');
    // Forward past the recompile point, back before the horizon, a new version, another provider's compile.
    const steps = [0, HOUR, 4 * DAY, 6 * DAY, 6 * DAY + HOUR, -3 * DAY, 20 * DAY, 20 * DAY, 21 * DAY];
    for (const [i, step] of steps.entries()) {
      if (i === 7) provider = manila('a', 2);
      if (i === 8) {
        cache.get(other, NOW + step);
        twin.get(other, NOW + step);
      }
      const remembered = cache.getRemembered(provider, NOW + step, slot);
      const fresh = twin.get(provider, NOW + step);
      expect(remembered.horizonStartMs).toBe(fresh.horizonStartMs);
      expect(remembered.startsMs).toStrictEqual(fresh.startsMs);
      expect(remembered).toBe(cache.get(provider, NOW + step));
    }
  });

  it('asks the cache again when another cache comes with the same slot', () => {
    const slot = new CalendarSlot();
    const first = new CalendarCache();
    const second = new CalendarCache();
    const provider = manila('a');
    first.getRemembered(provider, NOW, slot);
    expect(second.getRemembered(provider, NOW, slot)).toBe(second.get(provider, NOW));
  });
});

describe('ProviderIndex', () => {
  const providers = ['c', 'a', 'b', 'a', 'c', 'd'].map((id, i) =>
    providerSnapshot(id, { skills: i % 2 === 0 ? { billing: i } : { claims: 1 } }),
  );
  const index = new ProviderIndex(providers);

  it('orders places by id, equal ids in input order, and knows where each run of an id ends', () => {
    expect([...index.positionsById()]).toStrictEqual([1, 3, 2, 0, 4, 5]);
    expect([...index.idRunEnds()]).toStrictEqual([2, 2, 3, 5, 5, 6]);
  });

  it('numbers ids, equal ids alike', () => {
    expect([...index.idNumbers()]).toStrictEqual([0, 1, 2, 1, 0, 3]);
    expect(index.distinctIds).toBe(4);
  });

  it('lists the providers with a skill, their proficiency and places', () => {
    const billing = index.withSkill('billing');
    expect(billing.providers).toStrictEqual([providers[0], providers[2], providers[4]]);
    expect(billing.proficiency).toStrictEqual([0, 2, 4]);
    expect([...billing.positions]).toStrictEqual([0, 2, 4]);
    expect([...billing.holderAt]).toStrictEqual([0, -1, 1, -1, 2, -1]);
    expect(index.withSkill('constructor').providers).toStrictEqual([]);
  });

  it('is reused for the same objects in a fresh array, rebuilt when one is replaced or its skills are', () => {
    const first = providerIndex(providers);
    expect(providerIndex([...providers])).toBe(first);
    const replaced = [...providers];
    replaced[2] = { ...providers[2]! };
    expect(providerIndex(replaced)).not.toBe(first);
    const reskilled = providerIndex(replaced);
    replaced[2]!.skills = { claims: 2 };
    expect(providerIndex(replaced)).not.toBe(reskilled);
  });
});

describe('ShareStandings', () => {
  it('keeps the later standing of an id met twice, and forgets a pool at the next fill', () => {
    const standings = new ShareStandings(3);
    const a = providerSnapshot('a', { allocationShare: 0.25, routedLast24h: 1 });
    const b = providerSnapshot('b', { allocationShare: 0.75, routedLast24h: 3 });
    const bAgain = providerSnapshot('b', { allocationShare: 0.5, routedLast24h: 0 });
    standings.fill([a, b, bAgain], [0, 1, 1], 'billing');
    expect(standings.target[1]).toBe(0.5 / 1.5);
    expect(standings.actual[1]).toBe(0);
    expect(standings.deficit[1]).toBe((0.5 / 1.5) * 5);
    expect(standings.factor(0)).toBe(Math.min(1, 0.5 + 4 * (0.25 / 1.5 - 0.25)));
    expect(standings.has(2)).toBe(false);
    expect(standings.factor(2)).toBe(0.5);
    standings.fill([b], [1], 'billing');
    expect(standings.has(0)).toBe(false);
  });
});

describe('decisions over one index', () => {
  it('match the straightforward decision with duplicate ids and a snapshot changing in place', () => {
    const providers = [
      providerSnapshot('b', { allocationShare: 0.5, routedLast24h: 4 }),
      providerSnapshot('a', { capacity: 1, openItems: 1 }),
      providerSnapshot('b', { allocationShare: 0.5, costPerItem: 2 }),
      providerSnapshot('c', { status: 'paused' }),
      providerSnapshot('a', { throughputPerHour: 0.01 }),
      providerSnapshot('d', { skills: { claims: 2 } }),
    ];
    const calendars = new CalendarCache();
    for (let i = 0; i < 12; i++) {
      const nowMs = NOW + i * 7 * HOUR;
      const input = {
        ticket: routableTicket({
          ticketId: `t-${i}`,
          dueAt: new Date(nowMs + (i % 3) * DAY + HOUR).toISOString(),
        }),
        providers: [...providers],
        policy: DEFAULT_ROUTING_POLICY,
        nowMs,
        calendars,
        ...(i % 2 ? { maxCandidates: 3 } : {}),
      };
      const decision = decideRoute(input);
      expect(decision).toStrictEqual(decideRouteReference(input));
      const chosen = providers.find((provider) => provider.providerId === decision.order[0]);
      if (chosen) {
        chosen.openItems += 1;
        chosen.routedLast24h += 1;
      }
    }
  });
});
