// Realistic demo tickets: a mix of front- and back-office work, P1–P4
// weighted towards routine, several languages, some confidential or
// restricted data. Every ticket generated has at least one demo provider
// that can take it (skill, language, clearance and region).
import type { TicketInput } from '../../shared/domain/schemas.js';

export type Random = () => number;

/** A small seeded generator (mulberry32), so a demo can be replayed with --seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Weighted<T> = [T, number][];

export function pick<T>(random: Random, options: Weighted<T>): T {
  const total = options.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of options) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return options[options.length - 1]![0];
}

const oneOf = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

interface Template {
  skill: string;
  kind: TicketInput['kind'];
  subjects: string[];
  languages: Weighted<string | undefined>;
  classifications: Weighted<TicketInput['dataClassification']>;
  minProficiency: Weighted<number>;
}

const TEMPLATES: Weighted<Template> = [
  [
    {
      skill: 'billing',
      kind: 'front_office',
      subjects: [
        'Charged twice for the same order',
        'Invoice shows the wrong VAT number',
        'Card declined but the money was taken',
        'Question about my last invoice',
        'Cancel auto-renewal and refund the last charge',
        'Discount code not applied at checkout',
        'Cobro duplicado en mi tarjeta',
      ],
      languages: [
        ['en', 70],
        ['es', 20],
        ['tl', 10],
      ],
      classifications: [
        ['internal', 70],
        ['confidential', 25],
        ['public', 5],
      ],
      minProficiency: [
        [1, 80],
        [3, 20],
      ],
    },
    30,
  ],
  [
    {
      skill: 'refunds',
      kind: 'front_office',
      subjects: [
        'Refund not received',
        'Refund amount is less than expected',
        'Return shipped two weeks ago, still no refund',
        'Refund went to a closed card',
      ],
      languages: [
        ['en', 85],
        ['tl', 15],
      ],
      classifications: [
        ['internal', 80],
        ['confidential', 20],
      ],
      minProficiency: [
        [1, 85],
        [3, 15],
      ],
    },
    20,
  ],
  [
    {
      skill: 'data_entry',
      kind: 'back_office',
      subjects: [
        'Key in 40 scanned supplier invoices',
        'Update customer addresses from the March import',
        'Digitise handwritten warranty forms',
        'Enter purchase orders for the Monterrey plant',
      ],
      languages: [
        [undefined, 70],
        ['en', 30],
      ],
      classifications: [
        ['internal', 60],
        ['confidential', 40],
      ],
      minProficiency: [[1, 100]],
    },
    15,
  ],
  [
    {
      skill: 'claims',
      kind: 'back_office',
      subjects: [
        'Water damage claim: documents to verify',
        'Travel insurance claim with missing receipts',
        'Warranty claim for a cracked screen',
        'Dental claim resubmission',
        'Reclamación de seguro de auto',
      ],
      languages: [
        ['en', 60],
        ['es', 40],
      ],
      classifications: [
        ['confidential', 70],
        ['restricted', 30],
      ],
      minProficiency: [
        [1, 70],
        [4, 30],
      ],
    },
    20,
  ],
  [
    {
      skill: 'payroll',
      kind: 'back_office',
      subjects: [
        'Payroll correction for March',
        'Overtime not paid for week 12',
        'New hire missing from the payroll run',
        'Tax withholding change request',
      ],
      languages: [
        ['en', 80],
        ['es', 20],
      ],
      classifications: [
        ['confidential', 40],
        ['restricted', 60],
      ],
      minProficiency: [
        [1, 60],
        [3, 40],
      ],
    },
    15,
  ],
];

const PRIORITIES: Weighted<TicketInput['priority']> = [
  ['P1', 5],
  ['P2', 20],
  ['P3', 50],
  ['P4', 25],
];

const CHANNELS = ['email', 'chat', 'phone', 'web form'] as const;
const NAMES = [
  'A. Santos',
  'M. García',
  'J. Smith',
  'L. Reyes',
  'K. Johnson',
  'R. Hernández',
  'T. Nguyen',
] as const;

/** A run id, so each demo run has its own external ids (and so its own tickets). */
export const newRunId = () => Date.now().toString(36);

export const externalIdFor = (runId: string, index: number) =>
  `DEMO-${runId}-${String(index + 1).padStart(4, '0')}`;

/** The index-th ticket of a demo run (body for POST /v1/tickets). */
export function demoTicket(random: Random, runId: string, index: number): TicketInput {
  const template = pick(random, TEMPLATES);
  const language = pick(random, template.languages);
  const priority = pick(random, PRIORITIES);
  const ticket: TicketInput = {
    externalId: externalIdFor(runId, index),
    kind: template.kind,
    skill: template.skill,
    priority,
    minProficiency: pick(random, template.minProficiency),
    dataClassification: pick(random, template.classifications),
    dataRegion: 'US',
    subject: oneOf(random, template.subjects),
    payload: {
      customer: { id: `C-${100_000 + Math.floor(random() * 900_000)}`, name: oneOf(random, NAMES) },
      channel: template.kind === 'front_office' ? oneOf(random, CHANNELS) : 'batch',
      ...(template.skill === 'billing' || template.skill === 'refunds'
        ? { amount: Math.round(random() * 50_000) / 100, currency: 'USD' }
        : {}),
    },
  };
  if (language) ticket.language = language;
  return ticket;
}
