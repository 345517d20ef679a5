import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { AppContext } from './context.js';

export async function checkHealth(ctx: AppContext): Promise<boolean> {
  try {
    await Promise.all([
      ctx.table.db.send(new DescribeTableCommand({ TableName: ctx.table.name })),
      ctx.routingQueue.ping(),
    ]);
    return true;
  } catch {
    return false;
  }
}
