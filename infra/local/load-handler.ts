import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';

export type LambdaHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));
const loaded = new Map<string, Promise<LambdaHandler>>();

/** The very module Lambda would run, imported once (one warm container per function). */
export function loadHandler<TEvent, TResult>(entry: string): Promise<LambdaHandler<TEvent, TResult>> {
  let handler = loaded.get(entry);
  if (!handler) {
    handler = import(pathToFileURL(`${functionsDir}${entry}.ts`).href).then((module) => module.handler);
    loaded.set(entry, handler);
  }
  return handler as Promise<LambdaHandler<TEvent, TResult>>;
}
