// contracts import | export, and scorecards: provider contracts as files, period scorecards as a table or CSV.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import YAML from 'yaml';
import { contractInputSchema, periodSchema } from '../../shared/domain/contracts.js';
import { providerIdSchema } from '../../shared/domain/schemas.js';
import { type Scorecard, scorecardsCsv } from '../../shared/domain/scorecard.js';
import { adminClient, segment } from '../lib/api-client.js';
import { ApiError, CliError } from '../lib/errors.js';
import { paint, plural, table } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';
import { providersYaml } from './providers.js';

/** What a contracts file holds per entry: the provider and the PUT body. */
interface ContractEntry {
  providerId: string;
  body: Record<string, unknown>;
}

const CONTRACT_FIELDS = Object.keys(contractInputSchema.shape);

/** The entries of a contracts file (a list, or {items: [...]}), every one validated before anything is sent. */
export function parseContractsFile(text: string, file: string): ContractEntry[] {
  let document: unknown;
  try {
    document = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(document)
    ? document
    : Array.isArray((document as { items?: unknown } | null)?.items)
      ? (document as { items: unknown[] }).items
      : undefined;
  if (!list?.length) throw new CliError(`${file}: expected a non-empty list of contracts, or {items: [...]}`);
  const problems: string[] = [];
  const entries: ContractEntry[] = [];
  list.forEach((raw, index) => {
    const { providerId, ...body } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const label = `[${index}]${typeof providerId === 'string' ? ` ${providerId}` : ''}`;
    const id = providerIdSchema.safeParse(providerId);
    if (!id.success) problems.push(`${label}: providerId: ${id.error.issues[0]?.message ?? 'missing'}`);
    const parsed = contractInputSchema.safeParse(body);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        problems.push(`${label}: ${issue.path.map(String).join('.') || '(contract)'}: ${issue.message}`);
    if (id.success && parsed.success) entries.push({ providerId: id.data, body });
  });
  if (problems.length)
    throw new CliError(
      `${file}: ${plural(problems.length, 'problem')}, nothing was sent:\n${problems.map((line) => `  ${line}`).join('\n')}`,
    );
  return entries;
}

/** A stored version reduced to what `contracts import` accepts. */
export const exportableContract = (providerId: string, version: Record<string, unknown>) => ({
  providerId,
  ...Object.fromEntries(
    CONTRACT_FIELDS.filter((field) => version[field] !== undefined).map((field) => [field, version[field]]),
  ),
});

export function contractsCommand(): Command {
  const contracts = new Command('contracts').description('provider contracts as files: import and export');

  contracts
    .command('import')
    .description(
      'store a new contract version per provider from a JSON or YAML file (validated in full first)',
    )
    .argument('<file>', 'a .json/.yaml/.yml file: a list of contracts, each with providerId')
    .action(async (file: string, _options, command: Command) => {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      const entries = parseContractsFile(text, file);
      const client = adminClient(settingsOf(command));
      const rows: string[][] = [];
      let failed = 0;
      for (const entry of entries) {
        try {
          const saved = await client.put<{ version: number; effectiveFrom: string; createdAt: string }>(
            `/v1/providers/${segment(entry.providerId)}/contract`,
            entry.body,
          );
          rows.push([entry.providerId, `v${saved.version}`, saved.effectiveFrom, saved.createdAt]);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          failed++;
          rows.push([entry.providerId, 'FAILED', '', `${error.code}: ${error.apiMessage}`]);
        }
      }
      console.log(table(['provider', 'version', 'effective from', 'stored'], rows));
      if (failed) throw new CliError(`${plural(failed, 'contract')} could not be saved`);
    });

  contracts
    .command('export')
    .description('print the contract in force of every provider in a format `contracts import` accepts')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (options: { format: 'yaml' | 'json' }, command: Command) => {
      const client = adminClient(settingsOf(command));
      const { items } = await client.get<{ items: { providerId: string }[] }>('/v1/providers');
      const list: Record<string, unknown>[] = [];
      for (const { providerId } of [...items].sort((a, b) => a.providerId.localeCompare(b.providerId))) {
        try {
          const version = await client.get<Record<string, unknown>>(
            `/v1/providers/${segment(providerId)}/contract`,
          );
          list.push(exportableContract(providerId, version));
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        }
      }
      if (options.format === 'json') process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(list.length ? providersYaml(list) : '[]\n');
    });

  return contracts;
}

export function scorecardsCommand(): Command {
  return new Command('scorecards')
    .description("every contracted provider's scorecard for a period: KPIs, credits, net payable")
    .requiredOption('--period <period>', 'a month such as 2026-11 or a quarter such as 2026-Q4')
    .option('--csv', 'one row per provider and KPI, as GET /v1/scorecards?format=csv')
    .option('--json', 'the scorecards as the API answers them')
    .action(async (options: { period: string; csv?: boolean; json?: boolean }, command: Command) => {
      const period = periodSchema.safeParse(options.period);
      if (!period.success) throw new CliError(`--period: ${period.error.issues[0]?.message}`);
      const client = adminClient(settingsOf(command));
      const { items } = await client.get<{ items: Scorecard[] }>('/v1/scorecards', {
        query: { period: period.data },
      });
      if (options.csv) return void process.stdout.write(scorecardsCsv(items));
      if (options.json) return void process.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
      if (!items.length) return void console.log(`no provider has a contract measured by ${period.data}`);
      console.log(
        table(
          [
            'provider',
            'final',
            'completed',
            'breached',
            'fees',
            'credits',
            'shortfall',
            'net payable',
            'missed KPIs',
          ],
          items.map((card) => [
            card.providerId,
            card.final ? 'yes' : 'open',
            String(card.volume.completed),
            String(card.volume.breached),
            `${card.fees} ${card.currency}`,
            `${card.credits}${card.capApplied ? ' (cap)' : ''}`,
            card.shortfall,
            card.netPayable,
            card.kpis
              .filter((kpi) => !kpi.met)
              .map((kpi) => kpi.id)
              .join(', ') || '-',
          ]),
          {
            right: [2, 3, 4, 5, 6, 7],
            style: (_row, column, cell) => (column === 8 ? (cell === '-' ? 'green' : 'red') : undefined),
          },
        ),
      );
      const projected = items.filter((card) => card.projection);
      if (projected.length)
        console.log(
          `\n${paint('dim', 'open period: projected net payable at the current pace')} ${projected
            .map((card) => `${card.providerId} ${card.projection?.netPayable} ${card.currency}`)
            .join(', ')}`,
        );
    });
}
