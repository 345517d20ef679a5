import { describe, expect, it } from 'vitest';
import { handler as createTicket } from '../../functions/http/create-ticket.js';
import { handler as createTicketBatch } from '../../functions/http/create-ticket-batch.js';
import { handler as getSlaPolicy } from '../../functions/http/get-sla-policy.js';
import { handler as getTicket } from '../../functions/http/get-ticket.js';
import { handler as putSlaPolicy } from '../../functions/http/put-sla-policy.js';
import { MAX_PAYLOAD_BYTES } from '../../shared/domain/schemas.js';
import { drainRoutingQueue } from '../fixtures/context.js';
import { ticketInput, uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke, provider, source } from '../fixtures/events.js';

const create = (sourceId: string, body: unknown) =>
  invoke(createTicket, 'POST /v1/tickets', { principal: source(sourceId), body });

describe('ticket intake', () => {
  it('accepts a ticket with 202, computes dueAt from the SLA policy and enqueues it for routing', async () => {
    const sourceId = uniqueId('crm');
    const response = await create(sourceId, ticketInput({ priority: 'P1' }));
    expect(response.statusCode).toBe(202);
    expect(response.body).toStrictEqual({
      ticketId: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 'received',
      dueAt: new Date(Date.parse(response.body.createdAt) + 3600_000).toISOString(),
      createdAt: expect.any(String),
    });
    expect(await drainRoutingQueue()).toContain(response.body.ticketId);
  });

  it('answers the same body again with 200 and the same ticket, whatever the key order', async () => {
    const sourceId = uniqueId('crm');
    const body = ticketInput({ subject: 'Refund not received', payload: { order: 1, lines: [1, 2] } });
    const first = await create(sourceId, body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await create(sourceId, reordered);
    expect(again.statusCode).toBe(200);
    expect(again.body).toStrictEqual(first.body);
  });

  it('refuses a different body under the same externalId with 409', async () => {
    const sourceId = uniqueId('crm');
    const body = ticketInput();
    await create(sourceId, body);
    const changed = await create(sourceId, { ...body, priority: 'P4' });
    expect(changed.statusCode).toBe(409);
    expect(changed.body.error.code).toBe('conflict');
  });

  it('keeps the same externalId of two sources apart', async () => {
    const body = ticketInput();
    const [a, b] = [await create(uniqueId('a'), body), await create(uniqueId('b'), body)];
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.body.ticketId).not.toBe(b.body.ticketId);
  });

  it.each([
    ['a missing skill', { externalId: 'x', kind: 'front_office', priority: 'P2' }, 'skill'],
    ['an unknown field', { ...ticketInput(), prority: 'P1' }, 'prority'],
    ['a bad priority', ticketInput({ priority: 'P9' as never }), 'priority'],
    ['a bad dueAt', { ...ticketInput(), dueAt: 'tomorrow' }, 'dueAt'],
    ['an empty externalId', ticketInput({ externalId: '' }), 'externalId'],
  ])('rejects %s with 400 and writes nothing', async (_case, body, path) => {
    const sourceId = uniqueId('crm');
    const response = await create(sourceId, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await invoke(createTicket, 'POST /v1/tickets', {
      principal: source('crm'),
      rawBody: '{"externalId":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.code).toBe('validation_error');
  });

  it('answers 413 for a payload over 32 KiB and 202 for one just under', async () => {
    const sourceId = uniqueId('crm');
    const tooBig = await create(sourceId, ticketInput({ payload: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body.error.code).toBe('payload_too_large');
    const fits = await create(sourceId, ticketInput({ payload: 'x'.repeat(MAX_PAYLOAD_BYTES - 2) }));
    expect(fits.statusCode).toBe(202);
  });

  it('lets an admin create for a source named in the body, and requires that name', async () => {
    const sourceId = uniqueId('crm');
    const body = ticketInput();
    const asAdmin = await invoke(createTicket, 'POST /v1/tickets', {
      principal: ADMIN,
      body: { ...body, sourceId },
    });
    expect(asAdmin.statusCode).toBe(202);
    const sameAsSource = await create(sourceId, body);
    expect(sameAsSource.body.ticketId).toBe(asAdmin.body.ticketId);
    const unnamed = await invoke(createTicket, 'POST /v1/tickets', { principal: ADMIN, body: ticketInput() });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.body.error.details[0].path).toBe('sourceId');
  });

  it('refuses a source key that names a sourceId field', async () => {
    const response = await create('crm', { ...ticketInput(), sourceId: 'other' });
    expect(response.statusCode).toBe(400);
  });

  it('refuses a provider key with 403', async () => {
    const response = await invoke(createTicket, 'POST /v1/tickets', {
      principal: provider('acme'),
      body: ticketInput(),
    });
    expect(response.statusCode).toBe(403);
  });

  it('takes a batch item by item: one bad item does not fail the others', async () => {
    const sourceId = uniqueId('crm');
    const good = ticketInput();
    const response = await invoke(createTicketBatch, 'POST /v1/tickets/batch', {
      principal: source(sourceId),
      body: { items: [good, { ...ticketInput(), priority: 'P0' }, { externalId: 'no-kind' }] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.results).toMatchObject([
      { externalId: good.externalId, ticketId: expect.any(String), status: 'received' },
      { error: { code: 'validation_error', details: [{ path: 'items.1.priority' }] } },
      { externalId: 'no-kind', error: { code: 'validation_error' } },
    ]);
  });

  it('refuses a batch of more than 100 items', async () => {
    const response = await invoke(createTicketBatch, 'POST /v1/tickets/batch', {
      principal: source('crm'),
      body: { items: Array.from({ length: 101 }, () => ticketInput()) },
    });
    expect(response.statusCode).toBe(400);
  });

  it('keeps a ticket carrying its own dueAt, and follows a changed SLA policy otherwise', async () => {
    const sourceId = uniqueId('crm');
    const dueAt = '2030-01-01T00:00:00.000Z';
    expect((await create(sourceId, ticketInput({ dueAt }))).body.dueAt).toBe(dueAt);
    const before = await invoke(getSlaPolicy, 'GET /v1/sla-policy', { principal: ADMIN });
    expect(before.body).toStrictEqual({
      targets: { P1: 3600, P2: 14400, P3: 86400, P4: 259200 },
      atRiskFraction: 0.8,
    });
    const policy = { targets: { P1: 600, P2: 14400, P3: 86400, P4: 259200 }, atRiskFraction: 0.5 };
    expect(
      (await invoke(putSlaPolicy, 'PUT /v1/sla-policy', { principal: ADMIN, body: policy })).statusCode,
    ).toBe(200);
    const created = await create(sourceId, ticketInput({ priority: 'P1' }));
    expect(Date.parse(created.body.dueAt) - Date.parse(created.body.createdAt)).toBe(600_000);
    await invoke(putSlaPolicy, 'PUT /v1/sla-policy', { principal: ADMIN, body: before.body });
  });
});

describe('reading a ticket', () => {
  it('shows the owning source and admin the ticket, and 404 to everyone else', async () => {
    const sourceId = uniqueId('crm');
    const { body } = await create(sourceId, ticketInput());
    const params = { ticketId: body.ticketId };
    const own = await invoke(getTicket, 'GET /v1/tickets/{ticketId}', {
      principal: source(sourceId),
      params,
    });
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatchObject({
      ticketId: body.ticketId,
      sourceId,
      status: 'received',
      providerId: null,
      sla: { state: 'on_track', breached: false },
      attempts: 0,
      history: [{ event: 'received', at: body.createdAt }],
    });
    expect(
      (await invoke(getTicket, 'GET /v1/tickets/{ticketId}', { principal: ADMIN, params })).statusCode,
    ).toBe(200);
    for (const stranger of [source('someone-else'), provider('acme')]) {
      expect(
        (await invoke(getTicket, 'GET /v1/tickets/{ticketId}', { principal: stranger, params })).statusCode,
      ).toBe(404);
    }
    const unknown = await invoke(getTicket, 'GET /v1/tickets/{ticketId}', {
      principal: ADMIN,
      params: { ticketId: 'nope' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});
