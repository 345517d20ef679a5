// The simulate command's option values, from the text an operator types into runnable settings.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  DEFAULT_ROUTING_POLICY,
  PRIORITIES,
  type RoutingPolicy,
  routingPolicySchema,
  type SlaPolicy,
  slaPolicySchema,
} from '../../shared/domain/schemas.js';
import type { Priority } from '../../shared/domain/types.js';
import { TRACE_FIELDS, type TraceField } from '../../shared/simulation/trace.js';
import { POLICY_NAMES, type PolicyName } from '../../shared/simulation/types.js';
import { CliError } from '../lib/errors.js';

/** A policy as the table names it: one of the engine's, or `outroute` with a file's settings. */
export interface PolicyChoice {
  label: string;
  policy: PolicyName;
  routingPolicy?: RoutingPolicy;
}

/** "0.7,0.9,1.1" → [0.7, 0.9, 1.1]; every value checked by `valid`. */
export function numberList(text: string, option: string, valid: (value: number) => boolean): number[] {
  const values = text.split(',').map((part) => part.trim());
  const numbers = values.map(Number);
  const bad = values.find((part, index) => part === '' || !valid(numbers[index]!));
  if (bad !== undefined) throw new CliError(`${option}: "${bad}" is not valid in "${text}"`);
  return numbers;
}

/** `a=b,c="d e"` → {a: 'b', c: 'd e'}; quotes allow commas inside a value. */
export function keyValues(text: string, option: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  const pattern = /\s*([^=,\s]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^,]*))\s*(?:,|$)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match || match[0] === '') throw new CliError(`${option}: expected key=value,… but got "${text}"`);
    pairs[match[1]!] = (match[2] ?? match[3] ?? match[4] ?? '').trim();
    at = pattern.lastIndex;
  }
  return pairs;
}

export function columnMap(text: string): Partial<Record<TraceField, string>> {
  const pairs = keyValues(text, '--map');
  for (const field of Object.keys(pairs)) {
    if (!(TRACE_FIELDS as readonly string[]).includes(field))
      throw new CliError(`--map: unknown field "${field}" (fields: ${TRACE_FIELDS.join(', ')})`);
  }
  return pairs;
}

export function priorityMix(text: string): Record<Priority, number> {
  const pairs = keyValues(text, '--priority-mix');
  const mix = { P1: 0, P2: 0, P3: 0, P4: 0 };
  for (const [key, value] of Object.entries(pairs)) {
    const priority = key.toUpperCase() as Priority;
    const share = Number(value);
    if (!PRIORITIES.includes(priority))
      throw new CliError(`--priority-mix: "${key}" is not P1, P2, P3 or P4`);
    if (value === '' || !(share >= 0))
      throw new CliError(`--priority-mix: ${key}=${value} is not a share ≥ 0`);
    mix[priority] = share;
  }
  if (!(mix.P1 + mix.P2 + mix.P3 + mix.P4 > 0)) throw new CliError('--priority-mix: the shares add up to 0');
  return mix;
}

async function readJson(file: string, option: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`${option}: cannot read ${file}: ${error.code ?? error.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${option}: ${file} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The zod issues of a file as one line. */
const issuesLine = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');

/** A partial routing policy file, merged over the defaults (weights one by one) and validated. */
export async function routingPolicyFile(file: string): Promise<RoutingPolicy> {
  const partial = await readJson(file, '--policy');
  if (!partial || typeof partial !== 'object' || Array.isArray(partial))
    throw new CliError(`--policy: ${file} must hold a JSON object (a routing policy)`);
  const { weights, ...rest } = partial as { weights?: unknown };
  const merged = {
    ...DEFAULT_ROUTING_POLICY,
    ...rest,
    weights:
      weights && typeof weights === 'object' && !Array.isArray(weights)
        ? { ...DEFAULT_ROUTING_POLICY.weights, ...weights }
        : (weights ?? DEFAULT_ROUTING_POLICY.weights),
  };
  const parsed = routingPolicySchema.safeParse(merged);
  if (!parsed.success) throw new CliError(`--policy: ${file}: ${issuesLine(parsed.error.issues)}`);
  return parsed.data;
}

/** Policy names and routing policy files, each value possibly a comma-separated list; default all six. */
export async function policyChoices(values: string[] | undefined): Promise<PolicyChoice[]> {
  const items = (values ?? [...POLICY_NAMES]).flatMap((value) => value.split(',')).map((item) => item.trim());
  const choices: PolicyChoice[] = [];
  for (const item of items.filter(Boolean)) {
    if ((POLICY_NAMES as readonly string[]).includes(item))
      choices.push({ label: item, policy: item as PolicyName });
    else if (item.toLowerCase().endsWith('.json'))
      choices.push({
        label: basename(item),
        policy: 'outroute',
        routingPolicy: await routingPolicyFile(item),
      });
    else
      throw new CliError(
        `--policy: "${item}" is neither a policy (${POLICY_NAMES.join(', ')}) nor a .json file`,
      );
  }
  const labels = choices.map((choice) => choice.label);
  const twice = labels.find((label, index) => labels.indexOf(label) !== index);
  if (twice) throw new CliError(`--policy: "${twice}" is named twice`);
  return choices;
}

export async function slaPolicyFile(file: string): Promise<SlaPolicy> {
  const parsed = slaPolicySchema.safeParse(await readJson(file, '--sla'));
  if (!parsed.success) throw new CliError(`--sla: ${file}: ${issuesLine(parsed.error.issues)}`);
  return parsed.data;
}
