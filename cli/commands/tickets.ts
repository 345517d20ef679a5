// tickets show: one ticket, where it went and why.
import { Command } from 'commander';
import { adminClient, segment } from '../lib/api-client.js';
import { fixed, paint, relative, shortTime, table } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';

interface CandidateView {
  providerId: string;
  eligible: boolean;
  score?: number;
  predictedCompletionAt?: string;
  factors?: Record<string, number>;
  reasons?: string[];
}

export interface TicketView {
  ticketId: string;
  sourceId: string;
  externalId: string;
  status: string;
  providerId: string | null;
  kind: string;
  skill: string;
  priority: string;
  language?: string | null;
  minProficiency?: number;
  dataClassification?: string;
  dataRegion?: string | null;
  subject?: string | null;
  createdAt: string;
  dueAt: string;
  routedAt: string | null;
  completedAt: string | null;
  leaseExpiresAt?: string | null;
  sla: { state: string; breached: boolean };
  attempts: number;
  routing: {
    decidedAt: string;
    providerId: string | null;
    reason: string;
    candidates: CandidateView[];
  } | null;
  history: { at: string; event: string; providerId?: string; reason?: string }[];
}

const SLA_STYLE = { on_track: 'green', met: 'green', at_risk: 'yellow', breached: 'red' } as const;

export function renderTicket(ticket: TicketView, nowMs = Date.now()): string {
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`${`${name}:`.padEnd(14)}${value}`);
  lines.push(paint('bold', `Ticket ${ticket.ticketId}`));
  field('status', ticket.status);
  field('provider', ticket.providerId ?? '-');
  field(
    'SLA',
    paint(SLA_STYLE[ticket.sla.state as keyof typeof SLA_STYLE] ?? 'reset', ticket.sla.state) +
      (ticket.sla.breached ? ' (breached)' : ''),
  );
  field('due', `${ticket.dueAt} (${relative(ticket.dueAt, nowMs)})`);
  field('source', `${ticket.sourceId} / ${ticket.externalId}`);
  field(
    'work',
    [
      ticket.kind,
      `skill ${ticket.skill}${ticket.minProficiency && ticket.minProficiency > 1 ? ` ≥${ticket.minProficiency}` : ''}`,
      ticket.priority,
      ticket.language ? `language ${ticket.language}` : undefined,
      ticket.dataClassification,
      ticket.dataRegion ? `region ${ticket.dataRegion}` : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  );
  if (ticket.subject) field('subject', ticket.subject);
  field('created', `${ticket.createdAt} (${relative(ticket.createdAt, nowMs)})`);
  if (ticket.routedAt) field('routed', ticket.routedAt);
  if (ticket.leaseExpiresAt) field('lease until', ticket.leaseExpiresAt);
  if (ticket.completedAt) field('completed', ticket.completedAt);
  field('attempts', String(ticket.attempts));

  lines.push('');
  if (!ticket.routing) {
    lines.push(paint('bold', 'Routing: not decided yet'));
  } else {
    const routing = ticket.routing;
    lines.push(
      paint('bold', 'Routing') +
        ` decided ${shortTime(routing.decidedAt)}: ${routing.providerId ?? 'no provider'} (${routing.reason})`,
    );
    const rows = routing.candidates.map((candidate) => [
      candidate.providerId === routing.providerId ? `* ${candidate.providerId}` : `  ${candidate.providerId}`,
      candidate.eligible ? 'yes' : 'no',
      candidate.score === undefined ? '-' : fixed(candidate.score, 3),
      shortTime(candidate.predictedCompletionAt),
      candidate.eligible
        ? Object.entries(candidate.factors ?? {})
            .map(([name, value]) => `${name} ${fixed(value, 2)}`)
            .join(' ')
        : (candidate.reasons ?? []).join(', '),
    ]);
    lines.push(
      rows.length
        ? table(['candidate', 'eligible', 'score', 'predicted completion', 'reasons / factors'], rows, {
            right: [2],
            style: (_row, column, cell) =>
              column === 1 ? (cell.trim() === 'yes' ? 'green' : 'red') : undefined,
          })
        : '  (no providers were considered)',
    );
  }

  lines.push('', paint('bold', 'History'));
  lines.push(
    table(
      ['at', 'event', 'provider', 'reason'],
      ticket.history.map((entry) => [
        shortTime(entry.at),
        entry.event,
        entry.providerId ?? '',
        entry.reason ?? '',
      ]),
    ),
  );
  return lines.join('\n');
}

export function ticketsCommand(): Command {
  const tickets = new Command('tickets').description('look at tickets');

  tickets
    .command('show')
    .description('status, provider, SLA and the routing explanation of one ticket, then its history')
    .argument('<ticketId>', 'the ticket id (32 hex characters)')
    .option('--json', 'print the API response as is')
    .action(async (ticketId: string, options: { json?: boolean }, command: Command) => {
      const ticket = await adminClient(settingsOf(command)).get<TicketView>(
        `/v1/tickets/${segment(ticketId)}`,
      );
      console.log(options.json ? JSON.stringify(ticket, null, 2) : renderTicket(ticket));
    });

  return tickets;
}
