// `npm start`: the whole platform on this machine. See API.md, "Running locally".
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { parseFaults } from '../../shared/store/dynamo-faults.js';
import { registerAdminKey } from './admin-key.js';
import { dashboardSite } from './dashboard-site.js';
import { Phases } from './phases.js';
import { startRuntime } from './runtime.js';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.js';

const settings = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    OUTROUTE_ADMIN_KEY: z.string().min(16, 'OUTROUTE_ADMIN_KEY must be at least 16 characters').optional(),
    OUTROUTE_DATA_DIR: z.string().min(1).default('.outroute'),
    OUTROUTE_SWEEP_SECONDS: z.coerce.number().positive().default(5),
  })
  .safeParse(process.env);

if (!settings.success) {
  console.error(
    `outroute: ${settings.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
  );
  process.exit(2);
}

const { PORT, OUTROUTE_ADMIN_KEY, OUTROUTE_DATA_DIR, OUTROUTE_SWEEP_SECONDS } = settings.data;
const phases = new Phases();
// Node's start and the loading (and compiling) of this module's imports: the time since the process began.
phases.record('modules', performance.now());

try {
  const runtime = await startRuntime({
    port: PORT,
    dataDir: OUTROUTE_DATA_DIR,
    // OUTROUTE_FAULTS's sweep=60s (AWS's cadence) wins over the local default.
    sweepSeconds: (parseFaults(process.env.OUTROUTE_FAULTS).sweepMs ?? OUTROUTE_SWEEP_SECONDS * 1000) / 1000,
    site: dashboardSite(),
    phases,
  });
  const adminKey = await phases.time('admin key', () => registerAdminKey(OUTROUTE_ADMIN_KEY));
  writeRuntimeFile(OUTROUTE_DATA_DIR, runtime);
  const seconds = (performance.now() / 1000).toFixed(1);
  console.log(
    [
      `Outroute is running at ${runtime.url} (ready in ${seconds}s)`,
      `  start-up      ${phases.summary()}`,
      `  dashboard     ${runtime.url}/`,
      `  API contract  ${runtime.url}/openapi.json`,
      `  data          ${OUTROUTE_DATA_DIR}`,
      `  intake queue  ${runtime.backing.queues.intake.url} (SQS endpoint ${runtime.backing.sqsEndpoint})`,
      `  events        ${runtime.eventLogFile}`,
      `  metrics       ${runtime.metricsLogFile} (CloudWatch EMF, as the functions emit it in AWS)`,
      OUTROUTE_ADMIN_KEY
        ? '  admin key     from OUTROUTE_ADMIN_KEY'
        : `  admin key     ${adminKey}  (generated now and shown once; set OUTROUTE_ADMIN_KEY to choose your own)`,
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Outroute…`);
    await runtime.stop();
    removeRuntimeFile(OUTROUTE_DATA_DIR);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  console.error(`outroute: ${(error as Error).message}`);
  process.exit(1);
}
