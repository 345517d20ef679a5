// DynamoDB Local keeps its tables in SQLite, which syncs every commit to disk
// (four fsyncs each, in one global write order): on a laptop that, not CPU,
// is what caps the local platform — at 50 tickets/s its writes waited ~450 ms
// with the CPU a third idle. With libeatmydata (Debian/Ubuntu package
// libeatmydata1) preloaded into the Java process, fsync returns at once and
// the kernel writes the pages back on its own schedule: a committed write
// still survives a SIGKILL of the whole platform (the kernel holds it); only a
// power cut or a kernel crash can lose the last seconds — a trade-off a
// development database can take (the SQS emulator's synchronous=NORMAL is the
// same one). Without the library DynamoDB Local runs as shipped, and
// OUTROUTE_DYNAMODB_FSYNC=always keeps it so.
import { existsSync } from 'node:fs';

const LIBRARY_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libeatmydata.so',
  '/usr/lib/aarch64-linux-gnu/libeatmydata.so',
  '/usr/lib64/libeatmydata.so',
  '/usr/lib/libeatmydata.so',
  '/usr/local/lib/libeatmydata.so',
];

/** The environment for DynamoDB Local's Java process: the parent's, plus libeatmydata when installed and allowed. */
export function writeBackEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  libraryPaths: readonly string[] = LIBRARY_PATHS,
): NodeJS.ProcessEnv {
  if (env.OUTROUTE_DYNAMODB_FSYNC === 'always' || process.platform !== 'linux') return env;
  const library = libraryPaths.find((path) => existsSync(path));
  if (!library) return env;
  return { ...env, LD_PRELOAD: [env.LD_PRELOAD, library].filter(Boolean).join(' ') };
}
