import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { hasFaults, parseFaults } from '../../shared/store/dynamo-faults.js';

/** The Lambda context a handler receives, as the local runtime can honestly fill it in. */
export function lambdaContext(functionName: string, timeoutSeconds = 30): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Under OUTROUTE_FAULTS a local invocation is held to the function's timeout as Lambda would: past it, the
 * invocation fails as a whole (the batch is retried; the handler's promise is abandoned, as a frozen
 * Lambda sandbox's would be). Without faults, handlers may run as long as they need.
 */
export async function withinTimeout<T>(
  invocation: Promise<T>,
  functionName: string,
  timeoutSeconds: number,
): Promise<T> {
  if (!hasFaults(parseFaults(process.env.OUTROUTE_FAULTS))) return invocation;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${functionName}: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
      timeoutSeconds * 1000,
    );
  });
  invocation.catch(() => undefined);
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
