import { describe, expect, it } from 'vitest';
import { handler as intakeTickets } from '../../functions/queue/intake-tickets.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { ticketIdFor } from '../../shared/domain/ticket.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { testContext } from '../fixtures/context.js';
import { ticketInput, uniqueId } from '../fixtures/entities.js';
import { receiveAll, sqsClient, sqsEvent } from '../fixtures/sqs.js';

const dlqUrl = () => process.env.INTAKE_DLQ_URL ?? '';

describe('queue intake', () => {
  it('creates each valid message as the API would, and dead-letters invalid ones without failing the batch', async () => {
    const sourceId = uniqueId('feed');
    const good = ticketInput({ kind: 'back_office', skill: 'data_entry' });
    const invalid = { ...ticketInput(), sourceId, priority: 'urgent' };
    const response = await intakeTickets(
      sqsEvent([JSON.stringify({ ...good, sourceId }), JSON.stringify(invalid), 'not json']),
      lambdaContext('intake-tickets'),
    );

    expect(response).toStrictEqual({ batchItemFailures: [] });
    const ticket = await getTicket(testContext().table, ticketIdFor(sourceId, good.externalId));
    expect(ticket).toMatchObject({ status: 'received', kind: 'back_office', skill: 'data_entry', sourceId });
    const dead = await receiveAll(sqsClient(), dlqUrl());
    const mine = dead.filter(
      (message) => message.Body === JSON.stringify(invalid) || message.Body === 'not json',
    );
    expect(mine).toHaveLength(2);
    const recorded = mine.find((message) => message.Body === JSON.stringify(invalid));
    expect(recorded?.MessageAttributes?.errorCode?.StringValue).toBe('validation_error');
    expect(JSON.parse(recorded?.MessageAttributes?.error?.StringValue ?? '{}')).toMatchObject({
      details: [{ path: 'priority' }],
    });
  });

  it('is idempotent with the API: the same message twice is one ticket; a conflicting one is dead-lettered', async () => {
    const sourceId = uniqueId('feed');
    const body = { ...ticketInput(), sourceId };
    await intakeTickets(sqsEvent([JSON.stringify(body)]), lambdaContext('intake-tickets'));
    const again = await intakeTickets(sqsEvent([JSON.stringify(body)]), lambdaContext('intake-tickets'));
    expect(again).toStrictEqual({ batchItemFailures: [] });
    const conflicting = JSON.stringify({ ...body, priority: 'P1' });
    await intakeTickets(sqsEvent([conflicting]), lambdaContext('intake-tickets'));
    const dead = await receiveAll(sqsClient(), dlqUrl());
    expect(
      dead.find((message) => message.Body === conflicting)?.MessageAttributes?.errorCode?.StringValue,
    ).toBe('conflict');
  });
});
