// Backpressure: a source over its rate, or intake over the stage's cap, gets
// 429 throttled with Retry-After, and nothing of the refused ticket is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketIdFor } from '../../shared/domain/ticket.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { admitIntake } from '../../shared/use-cases/intake-limit.js';
import { TestClock, testContext } from '../fixtures/context.js';
import { ticketInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, isContractError, startTestApi, type TestApi } from '../fixtures/http.js';

// The stage's limits, as the CDK stack or npm start give them (read once, at the first request).
process.env.INTAKE_SOURCE_RATE = '2';
process.env.INTAKE_GLOBAL_RATE = '100000';

const ctx = testContext();
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('intake backpressure', () => {
  it('answers 429 throttled with Retry-After to a source over its rate, and writes nothing for it', async () => {
    const sourceId = uniqueId('crm');
    const key = (await givenKey(ctx, { role: 'source', sourceId })).apiKey;
    const bodies = Array.from({ length: 30 }, () => ticketInput());
    const answers = await Promise.all(bodies.map((body) => api.call('POST', '/v1/tickets', { key, body })));
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status === 202 || answer.status === 429)).toBe(true);
    for (const answer of throttled) {
      expect(isContractError(answer.body)).toBe(true);
      expect(answer.body.error.code).toBe('throttled');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    for (const [index, answer] of answers.entries()) {
      const stored = await getTicket(ctx.table, ticketIdFor(sourceId, bodies[index]?.externalId ?? ''));
      expect(Boolean(stored)).toBe(answer.status === 202);
    }
    // another source has its own budget
    const other = (await givenKey(ctx, { role: 'source', sourceId: uniqueId('erp') })).apiKey;
    expect((await api.call('POST', '/v1/tickets', { key: other, body: ticketInput() })).status).toBe(202);
  });

  it('counts a batch as its number of tickets', async () => {
    const key = (await givenKey(ctx, { role: 'source', sourceId: uniqueId('crm') })).apiKey;
    // a batch larger than the rate fits only into an empty second; six at once cannot all find one
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        api.call('POST', '/v1/tickets/batch', {
          key,
          body: { items: [ticketInput(), ticketInput(), ticketInput()] },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toContain(429);
  });

  it('holds the stage cap over all sources (fixed window per second, spread over shards)', async () => {
    const clock = new TestClock(Date.parse('2031-01-01T00:00:00.000Z'));
    const capped = { ...testContext(clock), intakeLimits: { perSourcePerSecond: 1000, globalPerSecond: 8 } };
    let admitted = 0;
    let refused = 0;
    for (let index = 0; index < 40; index++) {
      await admitIntake(capped, uniqueId('src'), 1).then(
        () => admitted++,
        (error: { code?: string; retryAfterSeconds?: number }) => {
          expect(error.code).toBe('throttled');
          expect(error.retryAfterSeconds).toBeGreaterThan(0);
          refused++;
        },
      );
    }
    // the cap is spread over 4 counters of ceil(8 / 4) = 2: never more than 8 in one second
    expect(admitted).toBeLessThanOrEqual(8);
    expect(refused).toBeGreaterThanOrEqual(32);
    clock.advance(1);
    await expect(admitIntake(capped, uniqueId('src'), 1)).resolves.toBeUndefined();
  });
});
