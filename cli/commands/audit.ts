// audit: each provider's openItems counter against the tickets that hold its capacity.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { type AuditRow, auditOpenItems } from '../../shared/use-cases/audit.js';
import { localAppContext, localDynamo, localSqs, withLocal } from '../lib/local.js';
import { paint, plural, table } from '../lib/output.js';
import { requireRuntime, settingsOf } from '../lib/settings.js';
import { CliError } from '../lib/errors.js';

export function renderAudit(rows: AuditRow[]): string {
  if (!rows.length) return 'no providers';
  return table(
    ['provider', 'openItems', 'counted from tickets', 'capacity', 'result'],
    rows.map((row) => [
      row.providerId,
      String(row.openItems),
      String(row.counted),
      String(row.capacity),
      row.ok ? 'OK' : 'MISMATCH',
    ]),
    {
      right: [1, 2, 3],
      style: (_row, column, cell) => (column === 4 ? (cell === 'OK' ? 'green' : 'red') : undefined),
    },
  );
}

export function auditCommand(): Command {
  return new Command('audit')
    .description(
      "recount every provider's open items from its queued and leased tickets and compare with its counter; exits 1 on a mismatch",
    )
    .option('--no-recheck', 'report the first reading, without looking again at mismatches')
    .addHelpText(
      'after',
      '\nReads the local table named in runtime.json. Tickets moving while it reads can show a passing\ndifference, so a mismatch is checked again twice, a second apart, before it is reported.',
    )
    .action(async (options: { recheck: boolean }, command: Command) => {
      const runtime = requireRuntime(settingsOf(command));
      const dynamo = localDynamo(runtime);
      const sqs = await localSqs(runtime);
      try {
        const ctx = localAppContext(runtime, dynamo, sqs);
        const audit = () => withLocal('DynamoDB Local', runtime.dynamoEndpoint, () => auditOpenItems(ctx));
        let rows = await audit();
        for (let again = 0; options.recheck && again < 2 && rows.some((row) => !row.ok); again++) {
          await sleep(1000);
          rows = await audit();
        }
        console.log(renderAudit(rows));
        const wrong = rows.filter((row) => !row.ok);
        console.log(
          wrong.length
            ? paint(
                'red',
                `\n${plural(wrong.length, 'provider')} with a counter that does not match its tickets`,
              )
            : `\nall ${plural(rows.length, 'provider')} OK`,
        );
        if (wrong.length)
          throw new CliError(`audit failed: ${wrong.map((row) => row.providerId).join(', ')}`);
      } finally {
        dynamo.destroy();
        sqs.destroy();
      }
    });
}
