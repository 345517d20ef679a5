#!/usr/bin/env node
// The operator CLI: `npm run outroute -- <command>`. Wiring only; each
// command group lives in cli/commands/.
import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { auditLogCommand } from './commands/audit-log.js';
import { contractsCommand, scorecardsCommand } from './commands/contracts.js';
import { demoCommand } from './commands/demo.js';
import { dlqCommand } from './commands/dlq.js';
import { eventsCommand } from './commands/events.js';
import { keysCommand } from './commands/keys.js';
import { providersCommand } from './commands/providers.js';
import { simulateCommand } from './commands/simulate.js';
import { ticketsCommand } from './commands/tickets.js';
import { workerCommand } from './commands/worker.js';
import { describeFailure } from './lib/errors.js';

// Output piped into `head` and the like: stop quietly when the reader goes away.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const program = new Command('outroute')
  .description('Operate Outroute: providers, keys, tickets, events, dead-letter queues, audits and a demo')
  .option(
    '--url <url>',
    "the platform's API (default: apiUrl from <data-dir>/runtime.json, else http://127.0.0.1:3000)",
  )
  .option('--key <key>', 'an admin API key (default: $OUTROUTE_ADMIN_KEY)')
  .option(
    '--data-dir <dir>',
    'the local data directory of npm start (default: $OUTROUTE_DATA_DIR or .outroute)',
  )
  .showHelpAfterError('(add --help for usage)')
  .addCommand(providersCommand())
  .addCommand(keysCommand())
  .addCommand(ticketsCommand())
  .addCommand(eventsCommand())
  .addCommand(dlqCommand())
  .addCommand(auditCommand())
  .addCommand(auditLogCommand())
  .addCommand(contractsCommand())
  .addCommand(scorecardsCommand())
  .addCommand(demoCommand())
  .addCommand(simulateCommand())
  .addCommand(workerCommand());

try {
  await program.parseAsync();
} catch (error) {
  const { message, exitCode } = describeFailure(error);
  console.error(`outroute: ${message}`);
  if (process.env.OUTROUTE_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  process.exitCode = exitCode;
}
