import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from './runtime.js';

/** Where a running `npm start` says how to reach it, for the operator CLI on the same machine. */
export interface RuntimeFile {
  apiUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queues: Runtime['backing']['queues'];
  eventLogFile: string;
  pid: number;
}

const fileIn = (dataDir: string) => join(dataDir, 'runtime.json');

export function writeRuntimeFile(dataDir: string, runtime: Runtime): void {
  const file: RuntimeFile = {
    apiUrl: runtime.url,
    dynamoEndpoint: runtime.backing.dynamoEndpoint,
    sqsEndpoint: runtime.backing.sqsEndpoint,
    tableName: runtime.backing.tableName,
    queues: runtime.backing.queues,
    eventLogFile: runtime.eventLogFile,
    pid: process.pid,
  };
  writeFileSync(fileIn(dataDir), `${JSON.stringify(file, null, 2)}\n`);
}

export function readRuntimeFile(dataDir: string): RuntimeFile | undefined {
  try {
    return JSON.parse(readFileSync(fileIn(dataDir), 'utf8')) as RuntimeFile;
  } catch {
    return undefined;
  }
}

export function removeRuntimeFile(dataDir: string): void {
  rmSync(fileIn(dataDir), { force: true });
}
