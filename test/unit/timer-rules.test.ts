import { describe, expect, it } from 'vitest';
import { toLeased, toQueued } from '../../shared/domain/lifecycle.js';
import { onTimer } from '../../shared/domain/timer-rules.js';
import { iso, receivedTicket, T0 } from '../fixtures/tickets.js';

const MINUTE = 60_000;
const routing = { decidedAt: iso(T0), providerId: 'acme', reason: 'best score', candidates: [] };
const queued = () => toQueued(receivedTicket(), { providerId: 'acme' }, routing, false, T0);

describe('what the sweeper does with a due timer', () => {
  it('does nothing before anything is due', () => {
    expect(onTimer(queued(), T0 + MINUTE)).toStrictEqual({ next: undefined, route: false });
  });

  it('re-enqueues a ticket left received past its retry time, and moves its timer', () => {
    const { next, route } = onTimer(receivedTicket(), T0 + 61_000);
    expect(route).toBe(true);
    expect(next?.nextCheckAt).toBe(iso(T0 + 121_000));
    expect(next?.history).toHaveLength(1);
  });

  it('expires a lease and routes the ticket again', () => {
    const leased = toLeased(queued(), 'h', iso(T0 + 5 * MINUTE), T0);
    const { next, route } = onTimer(leased, T0 + 5 * MINUTE);
    expect(route).toBe(true);
    expect(next).toMatchObject({ status: 'received' });
    expect(next?.history.at(-1)).toMatchObject({ event: 'expired', providerId: 'acme' });
  });

  it('marks at risk at 80% of the window (3 h 12 min for a P2), and re-routes only when the provider will miss', () => {
    const atRiskMs = T0 + 192 * MINUTE;
    expect(onTimer(queued(), atRiskMs - 1).next).toBeUndefined();
    const staying = onTimer(queued(), atRiskMs);
    expect(staying).toMatchObject({ route: false, next: { status: 'queued', sla: { state: 'at_risk' } } });
    const moving = onTimer(queued(), atRiskMs, true);
    expect(moving).toMatchObject({ route: true, next: { status: 'received' } });
    expect(moving.next?.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'sla_at_risk',
      'rerouted',
    ]);
  });

  it('marks breached once dueAt has passed', () => {
    const { next } = onTimer(queued(), T0 + 4 * 60 * MINUTE + 1);
    expect(next?.sla).toMatchObject({ state: 'breached', breached: true });
    expect(next?.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'sla_at_risk',
      'sla_breached',
    ]);
    expect(onTimer(next as NonNullable<typeof next>, T0 + 5 * 60 * MINUTE).next).toBeUndefined();
  });
});
