// The simulator's input files: a trace CSV and a providers file, each failing as one CLI error line.
import { readFile } from 'node:fs/promises';
import { providerInputSchema } from '../../shared/domain/schemas.js';
import type { StoredSlaPolicy } from '../../shared/domain/sla.js';
import { parseTrace, TraceError, type TraceOptions } from '../../shared/simulation/trace.js';
import type { SimProviderConfig, TraceTicket } from '../../shared/simulation/types.js';
import { parseProvidersDocument, type ProvidersDocument } from '../commands/providers.js';
import { CliError } from '../lib/errors.js';

export async function readText(file: string, option: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`${option}: cannot read ${file}: ${error.code ?? error.message}`);
  });
}

/** A trace file's tickets, sorted by creation; an unreadable trace is an error that names the file. */
export async function readTraceFile(file: string, options: TraceOptions): Promise<TraceTicket[]> {
  const text = await readText(file, '--trace');
  let tickets: TraceTicket[];
  try {
    tickets = parseTrace(text, options);
  } catch (error) {
    if (error instanceof TraceError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
  if (!tickets.length) throw new CliError(`${file}: the trace has no tickets`);
  return tickets;
}

/** The providers (and SLA policies) of an `outroute providers import` file, as the simulator takes them. */
export async function readProvidersFile(
  file: string,
): Promise<{ providers: SimProviderConfig[]; slaPolicies: StoredSlaPolicy[] }> {
  const text = await readText(file, '--providers');
  let document: ProvidersDocument;
  try {
    document = parseProvidersDocument(text, file);
  } catch (error) {
    // The import's message lists one problem a line and says nothing was sent: here, one line.
    if (!(error instanceof CliError)) throw error;
    const [first = '', ...problems] = error.message.split('\n');
    const head = first.replace(/, nothing was sent:$/, ':');
    throw new CliError([head, problems.map((line) => line.trim()).join('; ')].filter(Boolean).join(' '));
  }
  // Already validated; parsing again fills in the schema's defaults (cost, quality).
  return {
    providers: document.entries.map((entry) => ({
      providerId: entry.providerId,
      ...providerInputSchema.parse(entry.body),
    })),
    slaPolicies: document.slaPolicies,
  };
}
