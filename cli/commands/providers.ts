// providers import | export: provider configuration as a file that round-trips.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import YAML from 'yaml';
import { providerIdSchema, providerInputSchema, WEEKDAYS } from '../../shared/domain/schemas.js';
import {
  slaPolicyDefinitionSchema,
  slaPolicyIdSchema,
  type StoredSlaPolicy,
} from '../../shared/domain/sla.js';
import { adminClient, segment } from '../lib/api-client.js';
import { ApiError, CliError } from '../lib/errors.js';
import { paint, plural, table } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';

/** The fields a provider file holds: its id plus the PUT body; the live fields the API adds are left out. */
const CONFIG_FIELDS = ['providerId', ...Object.keys(providerInputSchema.shape)];
export const LIVE_FIELDS = ['openItems', 'updatedAt', 'openNow', 'nextOpenAt', 'version'];

interface ProviderEntry {
  providerId: string;
  body: Record<string, unknown>;
}

interface ProviderView {
  providerId: string;
  [field: string]: unknown;
}

/** A providers file: a list of providers, or `{items: [...], slaPolicies?: [...]}`. */
export interface ProvidersDocument {
  entries: ProviderEntry[];
  /** SLA policies (`PUT /v1/sla-policies/{policyId}` bodies plus their policyId), so what-if runs use them too. */
  slaPolicies: StoredSlaPolicy[];
}

/** The entries of a providers file (a list, or {items: [...]}), all validated before anything is sent. */
export function parseProvidersFile(text: string, file: string): ProviderEntry[] {
  return parseProvidersDocument(text, file).entries;
}

/** Providers and SLA policies of a file, all validated before anything is sent. */
export function parseProvidersDocument(text: string, file: string): ProvidersDocument {
  let document: unknown;
  try {
    document = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new CliError(
      `${file} is not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const list = Array.isArray(document)
    ? document
    : document && typeof document === 'object' && Array.isArray((document as { items?: unknown }).items)
      ? (document as { items: unknown[] }).items
      : undefined;
  if (!list) throw new CliError(`${file}: expected a list of providers, or an object with an "items" list`);
  if (!list.length) throw new CliError(`${file}: the list of providers is empty`);

  const problems: string[] = [];
  const entries: ProviderEntry[] = [];
  const seen = new Set<string>();
  list.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`[${index}]: not an object`);
      return;
    }
    const { providerId, ...body } = raw as Record<string, unknown>;
    const label = `[${index}]${typeof providerId === 'string' ? ` ${providerId}` : ''}`;
    const id = providerIdSchema.safeParse(providerId);
    if (!id.success)
      problems.push(
        `${label}: providerId: ${providerId === undefined ? 'missing' : id.error.issues[0]?.message}`,
      );
    else if (seen.has(id.data)) problems.push(`${label}: providerId appears more than once`);
    else seen.add(id.data);
    const parsed = providerInputSchema.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join('.');
        problems.push(`${label}: ${path ? `${path}: ` : ''}${issue.message}`);
      }
    }
    if (id.success && parsed.success) entries.push({ providerId: id.data, body });
  });
  const slaPolicies = parseSlaPolicies(document, problems);
  if (problems.length) {
    throw new CliError(
      `${file}: ${plural(problems.length, 'problem')}, nothing was sent:\n${problems.map((line) => `  ${line}`).join('\n')}`,
    );
  }
  return { entries, slaPolicies };
}

/** `slaPolicies` of an `{items, slaPolicies}` document, each checked as `PUT /v1/sla-policies/{id}` would. */
function parseSlaPolicies(document: unknown, problems: string[]): StoredSlaPolicy[] {
  const raw = (document as { slaPolicies?: unknown } | null)?.slaPolicies;
  if (raw === undefined || Array.isArray(document)) return [];
  if (!Array.isArray(raw)) {
    problems.push('slaPolicies: expected a list');
    return [];
  }
  const policies: StoredSlaPolicy[] = [];
  raw.forEach((item, index) => {
    const { policyId, ...body } = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const label = `slaPolicies[${index}]${typeof policyId === 'string' ? ` ${policyId}` : ''}`;
    const id = slaPolicyIdSchema.safeParse(policyId);
    if (!id.success) problems.push(`${label}: policyId: ${id.error.issues[0]?.message ?? 'invalid'}`);
    const parsed = slaPolicyDefinitionSchema.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${label}: ${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
    }
    if (id.success && parsed.success) policies.push({ policyId: id.data, updatedAt: '', ...parsed.data });
  });
  return policies;
}

/** A provider as the API shows it, reduced to what `providers import` accepts. */
export function exportable(provider: ProviderView): Record<string, unknown> {
  const entry = Object.fromEntries(
    CONFIG_FIELDS.filter((field) => provider[field] !== undefined && provider[field] !== null).map(
      (field) => [field, provider[field]],
    ),
  );
  // The table keeps maps unordered: weekdays read best Monday first.
  const hours = entry.businessHours as Record<string, unknown> | undefined;
  if (hours) {
    entry.businessHours = Object.fromEntries(
      [...WEEKDAYS, ...Object.keys(hours).filter((day) => !(WEEKDAYS as readonly string[]).includes(day))]
        .filter((day) => hours[day] !== undefined)
        .map((day) => [day, hours[day]]),
    );
  }
  return entry;
}

/** YAML that reads well and means the same to any YAML parser: short lists inline, strings quoted ("08:00" stays a string even in YAML 1.1). */
export function providersYaml(list: Record<string, unknown>[] | Record<string, unknown>): string {
  const document = new YAML.Document(list);
  const inline = (node: YAML.YAMLSeq) =>
    node !== document.contents &&
    node.items.length <= 8 &&
    node.items.every((item) => YAML.isScalar(item) || (YAML.isSeq(item) && item.flow));
  // Twice: the visit goes parent first, so a list of inline lists is inlined on the second pass.
  for (let pass = 0; pass < 2; pass++) {
    YAML.visit(document, {
      Seq(_key, node) {
        if (inline(node)) node.flow = true;
      },
    });
  }
  return document.toString({
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    flowCollectionPadding: false,
  });
}

export function providersCommand(): Command {
  const providers = new Command('providers').description(
    'provider configuration as files: import and export',
  );

  providers
    .command('import')
    .description(
      'create or replace providers from a JSON or YAML file (validated in full before any is sent)',
    )
    .argument(
      '<file>',
      'a .json/.yaml/.yml file: a list of providers (or {items: [...]}), each with providerId',
    )
    .action(async (file: string, _options, command: Command) => {
      const settings = settingsOf(command);
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      const { entries, slaPolicies } = parseProvidersDocument(text, file);
      const client = adminClient(settings);
      const existing = new Set(
        (await client.get<{ items: ProviderView[] }>('/v1/providers')).items.map((item) => item.providerId),
      );
      const rows: string[][] = [];
      let failed = 0;
      for (const entry of entries) {
        try {
          const saved = await client.put<ProviderView>(
            `/v1/providers/${segment(entry.providerId)}`,
            entry.body,
          );
          rows.push([
            entry.providerId,
            existing.has(entry.providerId) ? 'replaced' : 'created',
            String(saved.status),
            String(saved.openItems ?? 0),
            String(saved.capacity),
            saved.openNow ? 'open' : 'closed',
          ]);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          failed++;
          rows.push([entry.providerId, 'FAILED', '', '', '', `${error.code}: ${error.apiMessage}`]);
        }
      }
      console.log(
        table(['provider', 'result', 'status', 'open items', 'capacity', 'now'], rows, {
          right: [3, 4],
          style: (_row, column, cell) =>
            column === 1 ? (cell === 'FAILED' ? 'red' : cell === 'created' ? 'green' : undefined) : undefined,
        }),
      );
      const created = rows.filter((row) => row[1] === 'created').length;
      const replaced = rows.filter((row) => row[1] === 'replaced').length;
      console.log(
        `\nimported ${entries.length - failed} of ${plural(entries.length, 'provider')} from ${file}: ${created} created, ${replaced} replaced${failed ? `, ${paint('red', `${failed} failed`)}` : ''}`,
      );
      if (failed) throw new CliError(`${plural(failed, 'provider')} could not be saved`);
      for (const { policyId, updatedAt: _updatedAt, ...body } of slaPolicies)
        await client.put(`/v1/sla-policies/${segment(policyId)}`, body);
      if (slaPolicies.length)
        console.log(`imported ${plural(slaPolicies.length, 'SLA policy', 'SLA policies')}`);
    });

  providers
    .command('export')
    .description('print every provider in a format `providers import` accepts (live counters left out)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (options: { format: 'yaml' | 'json' }, command: Command) => {
      const client = adminClient(settingsOf(command));
      const { items } = await client.get<{ items: ProviderView[] }>('/v1/providers');
      const list = items
        .map(exportable)
        .sort((a, b) => String(a.providerId).localeCompare(String(b.providerId)));
      const policies = (await client.get<{ items: StoredSlaPolicy[] }>('/v1/sla-policies')).items.map(
        ({ updatedAt: _updatedAt, ...policy }) => policy,
      );
      // A plain list while there are no SLA policies, so files stay as they were.
      const document = policies.length ? { items: list, slaPolicies: policies } : list;
      if (options.format === 'json') process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      else process.stdout.write(providersYaml(document));
    });

  return providers;
}
