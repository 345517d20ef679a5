// Starts DynamoDB Local (in memory) and the SQS emulator once per test run.
// Each test file then gets its own table and queues (see per-file-setup.ts).
import type { TestProject } from 'vitest/node';
import { startBacking } from '../../infra/local/runtime.js';

export default async function setup(project: TestProject) {
  const backing = await startBacking({ tableName: 'outroute-shared' });
  project.provide('dynamoEndpoint', backing.dynamoEndpoint);
  project.provide('sqsEndpoint', backing.sqsEndpoint);
  return async () => {
    await backing.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}
