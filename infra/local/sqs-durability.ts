// The SQS emulator (fauxqs) keeps its messages in SQLite in write-ahead-log
// mode and commits every send, receive and delete on its own, with SQLite's
// default synchronous=FULL: an fsync per SQS call, made synchronously on the
// platform's one event loop (node:sqlite). At 100 tickets/s that blocked the
// loop for a tenth of the time. With WAL, synchronous=NORMAL still keeps every
// committed message across a crash or SIGKILL of the platform — only a power
// loss or OS crash may lose the last ones, as with DynamoDB Local's own files.
// fauxqs exposes no option for it, so its persistence class is reached by path
// and the pragma set as it opens (before any message is loaded or written).

import { findPackageJSON } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface FauxqsPersistence {
  db: { exec(sql: string): void };
  loadSqsAndSns(...args: unknown[]): unknown;
}

/** Call before startFauxqs. Without the expected class (another fauxqs version) it changes nothing. */
export async function relaxSqsEmulatorSync(): Promise<boolean> {
  // findPackageJSON, not import.meta.resolve: vitest's module runner has no import.meta.resolve.
  const packageJson = findPackageJSON('fauxqs', import.meta.url);
  if (!packageJson) return false;
  const url = pathToFileURL(join(dirname(packageJson), 'dist', 'persistence.js'));
  const { PersistenceManager } = (await import(url.href)) as {
    PersistenceManager?: { prototype: FauxqsPersistence };
  };
  const prototype = PersistenceManager?.prototype;
  if (!prototype || typeof prototype.loadSqsAndSns !== 'function') return false;
  const load = prototype.loadSqsAndSns;
  prototype.loadSqsAndSns = function (this: FauxqsPersistence, ...args: unknown[]) {
    this.db.exec('PRAGMA synchronous = NORMAL');
    return load.apply(this, args);
  };
  return true;
}
