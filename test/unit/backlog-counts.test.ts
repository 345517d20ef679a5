import { describe, expect, it } from 'vitest';
import { backlogDeltas, oldestOpenHour } from '../../shared/domain/backlog-counts.js';
import { mergeIncrements } from '../../shared/domain/metric-counts.js';
import { receivedTicket } from '../fixtures/tickets.js';

const received = receivedTicket({ skill: 'billing', priority: 'P2', createdAt: '2026-11-23T10:15:00.000Z' });
const queued = { ...received, status: 'queued' as const, providerId: 'p1' };

describe('backlog deltas', () => {
  it('counts a new ticket in its status and creation hour', () => {
    expect(backlogDeltas(undefined, received)).toStrictEqual([
      { skill: 'billing', priority: 'P2', add: { received: 1, 'open@2026-11-23T10': 1 } },
    ]);
  });

  it('moves a ticket between statuses without touching its hour', () => {
    expect(backlogDeltas(received, queued)).toStrictEqual([
      { skill: 'billing', priority: 'P2', add: { received: -1, queued: 1 } },
    ]);
  });

  it('takes a closed ticket out of every counter', () => {
    const atRisk = { ...queued, sla: { ...queued.sla, state: 'at_risk' as const } };
    const completed = { ...atRisk, status: 'completed' as const };
    expect(backlogDeltas(atRisk, completed)).toStrictEqual([
      { skill: 'billing', priority: 'P2', add: { queued: -1, atRisk: -1, 'open@2026-11-23T10': -1 } },
    ]);
  });

  it('moves a reprioritised ticket from one group to the other', () => {
    const deltas = backlogDeltas(queued, { ...queued, priority: 'P1' });
    expect(deltas.map((delta) => [delta.priority, delta.add.queued])).toStrictEqual([
      ['P2', -1],
      ['P1', 1],
    ]);
  });

  it('finds the oldest hour with open tickets', () => {
    expect(
      oldestOpenHour({ 'open@2026-11-23T09': 0, 'open@2026-11-23T11': 2, 'open@2026-11-23T10': 1 }),
    ).toBe('2026-11-23T10');
  });
});

describe('merging increments', () => {
  it('sums increments of one item, drops zeros, and accepts any counter name', () => {
    const key = { pk: 'A', sk: 'B' };
    expect(
      mergeIncrements([
        { key, set: { entity: 'x' }, add: { a: 1, constructor: 2 } },
        { key, add: { a: -1, b: 3, constructor: 1 } },
        { key: { pk: 'C', sk: 'D' }, add: { a: 0 } },
      ]),
    ).toStrictEqual([{ key, set: { entity: 'x' }, add: { constructor: 3, b: 3 } }]);
  });
});
