import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { AppError, UnavailableError } from '../../shared/lib/errors.js';
import { intakeMessage } from '../../shared/use-cases/intake-message.js';
import { appContext } from '../lib/app-context.js';
import { env } from '../lib/env.js';
import { logger, sdkClient } from '../lib/observability.js';
import { sqsHandler } from '../lib/sqs-handler.js';

let sqs: SQSClient | undefined;

/**
 * Creates each message's ticket as POST /v1/tickets would. A message that can
 * never succeed (invalid, or a conflicting duplicate) goes straight to the DLQ
 * with its error attached; a transient failure throws, so the queue retries it
 * and redrives it after maxReceiveCount.
 */
export const handler = sqsHandler(async (record: SQSRecord) => {
  try {
    const { ticket } = await intakeMessage(appContext(), record.body);
    logger.debug('intake message accepted', { messageId: record.messageId, ticketId: ticket.ticketId });
  } catch (error) {
    // Transient (a busy table): the queue delivers it again; only a message that can never succeed is dead-lettered.
    if (!(error instanceof AppError) || error instanceof UnavailableError) throw error;
    await deadLetter(record, error);
  }
});

async function deadLetter(record: SQSRecord, error: AppError): Promise<void> {
  const dlqUrl = env().INTAKE_DLQ_URL;
  if (!dlqUrl) throw error;
  sqs ??= sdkClient(new SQSClient({}));
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body,
      MessageAttributes: {
        errorCode: { DataType: 'String', StringValue: error.code },
        error: {
          DataType: 'String',
          StringValue: JSON.stringify({ message: error.message, details: error.details ?? [] }),
        },
        sourceMessageId: { DataType: 'String', StringValue: record.messageId },
      },
    }),
  );
  logger.warn('intake message dead-lettered', { messageId: record.messageId, errorCode: error.code });
}
