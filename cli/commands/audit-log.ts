// audit-log export: the access audit trail (GET /v1/audit), every page, as
// JSON lines or CSV, for a security review. It never holds ticket payloads.
import { createWriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import { adminClient } from '../lib/api-client.js';
import { CliError } from '../lib/errors.js';
import { settingsOf } from '../lib/settings.js';

interface AuditItem {
  at: string;
  actor: { keyId: string | null; role: string; ownerId: string | null };
  action: string;
  target: string;
  requestId: string;
}

interface ExportOptions {
  from?: string;
  to?: string;
  ticket?: string;
  actor?: string;
  format: 'jsonl' | 'csv';
  output?: string;
}

const CSV_COLUMNS = ['at', 'keyId', 'role', 'ownerId', 'action', 'target', 'requestId'];
const csvCell = (value: string | null) => {
  const text = value ?? '';
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function renderAuditLine(item: AuditItem, format: ExportOptions['format']): string {
  if (format === 'jsonl') return JSON.stringify(item);
  const { at, actor, action, target, requestId } = item;
  return [at, actor.keyId, actor.role, actor.ownerId, action, target, requestId].map(csvCell).join(',');
}

export function auditLogCommand(): Command {
  const auditLog = new Command('audit-log').description(
    'the access audit trail: payload reads and changes of configuration, keys and policies',
  );
  auditLog
    .command('export')
    .description('write every entry of a window (default: the last 24 h) to stdout or a file, oldest first')
    .option('--from <iso>', 'start of the window (ISO-8601)')
    .option('--to <iso>', 'end of the window (ISO-8601; default now)')
    .option('--ticket <ticketId>', 'only entries about this ticket (any window)')
    .option('--actor <keyId>', 'only entries made with this key (any window)')
    .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  outroute audit-log export --from 2026-11-01T00:00:00Z --format csv --output november.csv\n  outroute audit-log export --ticket 0f3c…',
    )
    .action(async (options: ExportOptions, command: Command) => {
      for (const [name, value] of [
        ['--from', options.from],
        ['--to', options.to],
      ] as const) {
        if (value !== undefined && Number.isNaN(Date.parse(value))) {
          throw new CliError(`${name} ${value} is not an ISO-8601 instant`);
        }
      }
      const client = adminClient(settingsOf(command));
      const out = options.output ? createWriteStream(options.output) : process.stdout;
      const write = (line: string) =>
        new Promise<void>((resolve, reject) =>
          out.write(`${line}\n`, (error) => (error ? reject(error) : resolve())),
        );
      if (options.format === 'csv') await write(CSV_COLUMNS.join(','));
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await client.get<{ items: AuditItem[]; cursor?: string }>('/v1/audit', {
          query: {
            from: options.from,
            to: options.to,
            ticketId: options.ticket,
            actor: options.actor,
            limit: 500,
            cursor,
          },
        });
        for (const item of page.items) await write(renderAuditLine(item, options.format));
        count += page.items.length;
        cursor = page.cursor;
      } while (cursor);
      if (options.output) {
        await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
        console.error(`${count} audit entries written to ${options.output}`);
      }
    });
  return auditLog;
}
