// The demo's three providers: an offshore, a nearshore and an onshore BPO,
// with real business hours that together cover every hour of the week
// (Manila's long day ends at 14:00 UTC, Mexico City opens at 13:00 UTC and
// closes at 02:00–03:00 UTC, Manila opens again at 22:00 UTC).
import type { z } from 'zod';
import type { contractInputSchema } from '../../shared/domain/contracts.js';
import {
  DEFAULT_ROUTING_POLICY,
  type ProviderInput,
  type RoutingPolicy,
} from '../../shared/domain/schemas.js';

export interface DemoProvider {
  providerId: string;
  input: ProviderInput;
  /** The simulation: how many agents work the queue at once. */
  agents: number;
  /** Relative speed of its agents: handle time is divided by it. */
  speed: number;
  /** Whether this provider may turn down a leased ticket (only where another provider can take it). */
  mayReject: (item: { skill: string; language: string | null }) => boolean;
  /** Its contract (issue 10), without `effectiveFrom`: the demo makes it effective from this month. */
  contract: Omit<z.input<typeof contractInputSchema>, 'effectiveFrom'>;
}

/** The client runs its programme from New York: every contract is measured in its time zone, by month. */
const CONTRACT_BASE = { timeZone: 'America/New_York', currency: 'USD', period: 'month' } as const;

const week = (window: [string, string], days = ['mon', 'tue', 'wed', 'thu', 'fri']) =>
  Object.fromEntries(days.map((day) => [day, [window]]));

export const DEMO_SOURCE_ID = 'demo-crm';

export const DEMO_PROVIDERS: DemoProvider[] = [
  {
    providerId: 'manila-bpo',
    input: {
      name: 'Manila BPO (offshore, two shifts, seven days)',
      status: 'active',
      timeZone: 'Asia/Manila',
      country: 'PH',
      sourcing: 'offshore',
      businessHours: week(['06:00', '22:00'], ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
      skills: { billing: 4, refunds: 4, data_entry: 5 },
      languages: ['en', 'tl'],
      capacity: 150,
      throughputPerHour: 60,
      costPerItem: 1.6,
      qualityScore: 0.86,
      dataClearance: 'confidential',
      dataRegions: ['US', 'APAC'],
      allocationShare: 0.6,
    },
    agents: 4,
    speed: 1.2,
    mayReject: (item) => item.skill === 'billing' && item.language !== 'tl',
    contract: {
      ...CONTRACT_BASE,
      rates: [
        { skill: 'data_entry', perItem: '0.90' },
        { skill: 'billing', perItem: '1.60' },
        { perItem: '1.75' },
      ],
      minimumVolume: { items: 200, shortfallPerItem: '0.80' },
      kpis: [
        {
          id: 'sla',
          metric: 'sla_attainment',
          target: 0.9,
          credit: { percentOfFees: 3, perPointBelow: 0.5 },
        },
        { id: 'quality', metric: 'quality_score', target: 0.85, credit: { percentOfFees: 2 } },
        { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 1 } },
      ],
      breachPenalties: { P1: '15.00', P2: '5.00' },
      creditCapPercent: 12,
    },
  },
  {
    providerId: 'cdmx-nearshore',
    input: {
      name: 'CDMX Nearshore (Spanish and English)',
      status: 'active',
      timeZone: 'America/Mexico_City',
      country: 'MX',
      sourcing: 'nearshore',
      businessHours: { ...week(['07:00', '21:00']), ...week(['07:00', '20:00'], ['sat', 'sun']) },
      skills: { billing: 4, claims: 4 },
      languages: ['es', 'en'],
      capacity: 80,
      throughputPerHour: 30,
      costPerItem: 4.2,
      qualityScore: 0.9,
      dataClearance: 'confidential',
      dataRegions: ['US', 'LATAM'],
      allocationShare: 0.4,
    },
    agents: 3,
    speed: 1,
    mayReject: (item) => item.skill === 'billing' && item.language !== 'tl',
    contract: {
      ...CONTRACT_BASE,
      rates: [
        { skill: 'claims', kind: 'back_office', perItem: '4.20' },
        { skill: 'billing', perItem: '4.00' },
        { perItem: '4.20' },
      ],
      minimumVolume: { items: 100, shortfallPerItem: '2.00' },
      kpis: [
        {
          id: 'sla-p1',
          metric: 'sla_attainment',
          priority: 'P1',
          target: 0.95,
          credit: { percentOfFees: 5, perPointBelow: 1 },
        },
        { id: 'sla', metric: 'sla_attainment', target: 0.9, credit: { percentOfFees: 3 } },
        { id: 'csat', metric: 'csat', target: 4, credit: { percentOfFees: 2 } },
      ],
      breachPenalties: { P1: '25.00' },
      creditCapPercent: 15,
    },
  },
  {
    providerId: 'austin-onshore',
    input: {
      name: 'Austin Onshore (restricted data, top quality)',
      status: 'active',
      timeZone: 'America/Chicago',
      country: 'US',
      sourcing: 'onshore',
      businessHours: week(['08:00', '18:00']),
      holidays: [
        '2026-11-26',
        '2026-11-27',
        '2026-12-24',
        '2026-12-25',
        '2027-01-01',
        '2027-01-18',
        '2027-05-31',
        '2027-07-05',
        '2027-09-06',
        '2027-11-25',
        '2027-11-26',
        '2027-12-24',
      ],
      skills: { billing: 5, claims: 5, payroll: 5 },
      languages: ['en', 'es'],
      capacity: 50,
      throughputPerHour: 15,
      costPerItem: 9.5,
      qualityScore: 0.97,
      dataClearance: 'restricted',
      dataRegions: ['US'],
    },
    agents: 2,
    speed: 0.8,
    // The only provider for payroll and restricted claims: it never turns work down.
    mayReject: () => false,
    contract: {
      ...CONTRACT_BASE,
      rates: [{ skill: 'claims', perItem: '10.00' }, { perItem: '9.50' }],
      kpis: [
        { id: 'sla', metric: 'sla_attainment', target: 0.95, credit: { percentOfFees: 5, perPointBelow: 1 } },
        { id: 'quality', metric: 'quality_score', target: 0.95, credit: { percentOfFees: 3 } },
        { id: 'handle-time', metric: 'median_handle_minutes', max: 30, credit: { percentOfFees: 1 } },
      ],
      breachPenalties: { P1: '50.00', P2: '20.00' },
      creditCapPercent: 20,
    },
  },
];

/** SLA-minded weights: finishing in time first, then price and quality; shares and load as tie-breakers. */
export const DEMO_ROUTING_POLICY: RoutingPolicy = {
  ...DEFAULT_ROUTING_POLICY,
  weights: { slack: 0.35, cost: 0.25, quality: 0.2, share: 0.12, load: 0.08 },
  relaxProficiencyAfterSeconds: 600,
};
