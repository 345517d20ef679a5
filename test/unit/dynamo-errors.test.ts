import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/lib/errors.js';
import {
  backoffMs,
  classifyDynamoError,
  failedConditionIndexes,
  retryTransient,
} from '../../shared/store/dynamo-client.js';
import { parseFaults } from '../../shared/store/dynamo-faults.js';

const $metadata = {};
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata,
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('classifyDynamoError', () => {
  it.each([
    [
      'a failed condition on a single write',
      new ConditionalCheckFailedException({ message: 'x', $metadata }),
      'condition',
    ],
    [
      'a single write colliding with a transaction',
      new TransactionConflictException({ message: 'x', $metadata }),
      'conflict',
    ],
    [
      'provisioned throughput exceeded',
      new ProvisionedThroughputExceededException({ message: 'x', $metadata }),
      'throttle',
    ],
    ['on-demand throttling', new ThrottlingException({ message: 'x', $metadata }), 'throttle'],
    ['the account request limit', new RequestLimitExceeded({ message: 'x', $metadata }), 'throttle'],
    [
      'a transaction whose item failed its condition',
      cancelled('None', 'ConditionalCheckFailed'),
      'condition',
    ],
    ['a transaction cancelled by a conflict', cancelled('None', 'TransactionConflict'), 'conflict'],
    [
      'a condition failure beside a conflict (the condition is definite)',
      cancelled('ConditionalCheckFailed', 'TransactionConflict'),
      'condition',
    ],
    ['a transaction throttled', cancelled('ThrottlingError', 'None'), 'throttle'],
    ['a transaction over provisioned throughput', cancelled('ProvisionedThroughputExceeded'), 'throttle'],
    ['a transaction with an invalid item', cancelled('ValidationError', 'None'), 'validation'],
    ['anything else', new Error('boom'), 'other'],
  ])('%s → %s', (_, error, kind) => {
    expect(classifyDynamoError(error)).toBe(kind);
  });

  it('lists only the items that failed their condition, never the conflicting ones', () => {
    expect(
      failedConditionIndexes(cancelled('None', 'TransactionConflict', 'ConditionalCheckFailed')),
    ).toStrictEqual([2]);
  });
});

describe('retryTransient', () => {
  const instant = { attempts: 4, baseMs: 10, capMs: 40, sleep: async () => undefined };

  it('sends a conflicting write again until it goes through', async () => {
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls < 3) throw cancelled('TransactionConflict');
      return 'written';
    }, instant);
    expect({ result, calls }).toStrictEqual({ result: 'written', calls: 3 });
  });

  it('gives up after the last attempt with a retryable 503 error, never a condition failure', async () => {
    let calls = 0;
    const failing = retryTransient(async () => {
      calls++;
      throw new TransactionConflictException({ message: 'x', $metadata });
    }, instant);
    await expect(failing).rejects.toBeInstanceOf(UnavailableError);
    await expect(failing).rejects.toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });
    expect(calls).toBe(4);
  });

  it('passes a failed condition through at once', async () => {
    let calls = 0;
    const failing = retryTransient(async () => {
      calls++;
      throw cancelled('ConditionalCheckFailed');
    }, instant);
    await expect(failing).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(1);
  });

  it('waits with full jitter under an exponential cap', () => {
    const options = { attempts: 5, baseMs: 25, capMs: 800 };
    expect(
      [0, 1, 2, 5, 10].map((retry) => backoffMs(retry, { ...options, random: () => 0.999999 })),
    ).toStrictEqual([25, 50, 100, 800, 800].map((cap) => cap * 0.999999));
    expect(backoffMs(3, { ...options, random: () => 0 })).toBe(0);
  });
});

describe('parseFaults', () => {
  it('reads lag, conflict rate and sweep cadence', () => {
    expect(parseFaults('index-lag=1000ms,txn-conflict=0.05,sweep=60s')).toStrictEqual({
      indexLagMs: 1000,
      txnConflict: 0.05,
      sweepMs: 60_000,
    });
    expect(parseFaults(undefined)).toStrictEqual({ indexLagMs: 0, txnConflict: 0 });
  });

  it.each(['index-lag=soon', 'txn-conflict=2', 'typo=1'])('refuses %s at start', (text) => {
    expect(() => parseFaults(text)).toThrow(/OUTROUTE_FAULTS/);
  });
});
