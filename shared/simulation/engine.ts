// The simulator: replays a trace through a routing policy in virtual time. Each provider works its open items
// one at a time in the policy's work order, only during its business hours; service times are exponential
// with mean 1 / throughputPerHour (the same draws for every policy) or the trace's own minutes. Parked
// tickets are woken by freed slots and retried by a sweep every minute, at-risk tickets are re-routed, as in
// production. No I/O, no clock: everything runs on the event queue below.
import { ticketSla } from '../domain/sla.js';
import { addOpenHours, CalendarCache, HOUR_MS, isOpenAt, nextOpeningAt } from '../domain/calendar.js';
import { DEFAULT_ROUTING_POLICY, DEFAULT_SLA_POLICY } from '../domain/schemas.js';
import { effortFor, effortOf, RETRY_SECONDS } from '../domain/ticket.js';
import { mayTake } from '../domain/wake-up.js';
import { completionCostMinor, priceProviders } from './contracts.js';
import { EventQueue } from './event-queue.js';
import { baselinePolicy } from './policies/baselines.js';
import { outroutePolicy } from './policies/outroute.js';
import type { SimPolicy } from './policies/policy.js';
import { uniformAt } from './random.js';
import { summarise } from './summary.js';
import type { SimulationConfig, SimulationResult } from './types.js';
import { recordRouting, rollShareWindows, type SimProvider, type SimTicket, type World } from './world.js';

const DAY_MS = 86_400_000;
const SWEEP_MS = 60_000;
const SAMPLE_MS = 5 * 60_000;
/** Parked tickets a freed slot wakes at once, as the stream consumer does. */
const WAKE_PER_FREED_SLOT = 2;

const enum Kind {
  Arrival,
  Complete,
  Open,
  AtRisk,
  Sweep,
  Sample,
}

export interface RunCounters {
  lost: number;
  rebalanced: number;
  /** Per provider: samples open, and open while working, by UTC hour of day. */
  openSamples: number[][];
  busySamples: number[][];
}

function makeTickets(config: SimulationConfig): SimTicket[] {
  const sla = config.slaPolicy ?? DEFAULT_SLA_POLICY;
  return config.tickets.map((trace, index) => {
    // With SLA policies the due is the production one (matching, business hours); without, the default's.
    const dueMs =
      trace.dueMs ??
      (config.slaPolicies?.length
        ? Date.parse(
            ticketSla({
              subject: {
                sourceId: 'simulation',
                kind: 'front_office',
                skill: trace.skill,
                priority: trace.priority,
              },
              createdAt: new Date(trace.createdMs).toISOString(),
              defaultPolicy: sla,
              policies: config.slaPolicies,
            }).dueAt,
          )
        : trace.createdMs + sla.targets[trace.priority] * 1000);
    return {
      index,
      ticketId: `t${index}`,
      skill: trace.skill,
      priority: trace.priority,
      ...(trace.language ? { language: trace.language } : {}),
      minProficiency: 1,
      dataClassification: trace.dataClassification ?? 'internal',
      createdAt: new Date(trace.createdMs).toISOString(),
      dueAt: new Date(dueMs).toISOString(),
      createdMs: trace.createdMs,
      dueMs,
      // One Exp(1) draw per ticket from (seed, index): every policy meets the same work.
      workUnits: -Math.log(1 - uniformAt(config.seed, index)),
      ...(effortFor({ effort: trace.effort, skill: trace.skill }, sla) > 1
        ? { effort: effortFor({ effort: trace.effort, skill: trace.skill }, sla) }
        : {}),
      ...(trace.workMinutes === undefined ? {} : { workMinutes: trace.workMinutes }),
      status: 'waiting',
      parked: false,
      lastTriedMs: 0,
      lost: false,
    };
  });
}

function makeProviders(config: SimulationConfig): SimProvider[] {
  return config.providers.map((provider) => ({
    config: provider,
    snapshot: {
      ...provider,
      costPerItem: provider.costPerItem ?? 0,
      qualityScore: provider.qualityScore ?? 1,
      openItems: 0,
      version: 1,
      updatedAt: '',
      routedLast24h: 0,
      routedBySkill: Object.create(null),
      queue: [],
    },
    waitingForOpening: false,
    recentRoutings: [],
    routedTotal: 0,
    routedBySkillTotal: new Map(),
  }));
}

const policyFor = (config: SimulationConfig): SimPolicy =>
  config.policy === 'outroute' ? outroutePolicy : baselinePolicy(config.policy);

export function runSimulation(config: SimulationConfig): SimulationResult {
  const tickets = makeTickets(config);
  const providers = makeProviders(config);
  const world: World = {
    providers,
    byId: new Map(providers.map((provider) => [provider.config.providerId, provider])),
    calendars: new CalendarCache(),
    routingPolicy: config.routingPolicy ?? DEFAULT_ROUTING_POLICY,
  };
  const policy = policyFor(config);
  const counters: RunCounters = {
    lost: 0,
    rebalanced: 0,
    openSamples: providers.map(() => new Array(24).fill(0)),
    busySamples: providers.map(() => new Array(24).fill(0)),
  };
  const parked = new Set<SimTicket>();
  const events = new EventQueue();
  const firstMs = tickets[0]?.createdMs ?? 0;
  const lastMs = tickets.at(-1)?.createdMs ?? 0;
  const endMs = lastMs + (config.drainMs ?? 7 * DAY_MS);
  const atRiskFraction = (config.slaPolicy ?? DEFAULT_SLA_POLICY).atRiskFraction;
  const canSteal = config.policy === 'outroute';
  const providerIndex = new Map(providers.map((provider, i) => [provider, i]));

  tickets.forEach((ticket, i) => events.push(ticket.createdMs, Kind.Arrival, i));
  events.push(firstMs + SWEEP_MS, Kind.Sweep, 0);
  events.push(firstMs, Kind.Sample, 0);

  const calendarOf = (provider: SimProvider, nowMs: number) => world.calendars.get(provider.snapshot, nowMs);

  function enqueue(ticket: SimTicket, provider: SimProvider, nowMs: number): void {
    ticket.status = 'queued';
    ticket.providerId = provider.config.providerId;
    provider.snapshot.queue.push(ticket);
    provider.snapshot.openItems += effortOf(ticket);
    recordRouting(provider, ticket.skill, nowMs);
    const atRiskMs = ticket.createdMs + Math.floor((ticket.dueMs - ticket.createdMs) * atRiskFraction);
    if (atRiskMs > nowMs) events.push(atRiskMs, Kind.AtRisk, ticket.index);
  }

  function route(ticket: SimTicket, nowMs: number): void {
    rollShareWindows(world, nowMs);
    ticket.lastTriedMs = nowMs;
    priceProviders(providers, nowMs);
    const choice = policy.route(ticket, world, nowMs);
    if (choice.lost && !ticket.lost) {
      ticket.lost = true;
      counters.lost++;
    }
    const provider = choice.providerId ? world.byId.get(choice.providerId) : undefined;
    if (!provider || provider.snapshot.openItems + effortOf(ticket) > provider.snapshot.capacity) {
      ticket.parked = true;
      parked.add(ticket);
      return;
    }
    ticket.parked = false;
    parked.delete(ticket);
    enqueue(ticket, provider, nowMs);
    kick(provider, nowMs);
    // Providers poll their queues: an idle one may take this ticket over at once.
    if (canSteal) for (const other of providers) if (other !== provider && !other.working) kick(other, nowMs);
  }

  function removeFromQueue(ticket: SimTicket): SimProvider | undefined {
    const holder = ticket.providerId ? world.byId.get(ticket.providerId) : undefined;
    if (!holder) return undefined;
    const queue = holder.snapshot.queue;
    const at = queue.indexOf(ticket);
    if (at >= 0) {
      queue.splice(at, 1);
      holder.snapshot.openItems -= effortOf(ticket);
    }
    return holder;
  }

  function start(provider: SimProvider, ticket: SimTicket, nowMs: number): void {
    const queue = provider.snapshot.queue;
    queue.splice(queue.indexOf(ticket), 1);
    provider.working = ticket;
    ticket.status = 'working';
    const hours =
      ticket.workMinutes !== undefined
        ? ticket.workMinutes / 60
        : (ticket.workUnits * effortOf(ticket)) / provider.snapshot.throughputPerHour;
    const doneMs = addOpenHours(calendarOf(provider, nowMs), nowMs, hours) ?? nowMs + hours * HOUR_MS;
    events.push(doneMs, Kind.Complete, providerIndex.get(provider) as number);
  }

  function kick(provider: SimProvider, nowMs: number): void {
    if (provider.working) return;
    const calendar = calendarOf(provider, nowMs);
    if (!isOpenAt(calendar, nowMs)) {
      if (provider.waitingForOpening || (!canSteal && provider.snapshot.queue.length === 0)) return;
      const opening = nextOpeningAt(calendar, nowMs);
      if (opening !== null) {
        provider.waitingForOpening = true;
        events.push(opening, Kind.Open, providerIndex.get(provider) as number);
      }
      return;
    }
    let next = policy.next(provider, world, nowMs);
    if (!next && canSteal) {
      next = policy.steal(provider, world, nowMs);
      if (next) {
        removeFromQueue(next);
        next.providerId = provider.config.providerId;
        provider.snapshot.queue.push(next);
        provider.snapshot.openItems += effortOf(next);
        counters.rebalanced++;
      }
    }
    if (next) start(provider, next, nowMs);
  }

  function complete(provider: SimProvider, nowMs: number): void {
    const ticket = provider.working as SimTicket;
    provider.working = undefined;
    provider.snapshot.openItems -= effortOf(ticket);
    ticket.status = 'done';
    ticket.completedMs = nowMs;
    ticket.costMinor = completionCostMinor(provider, ticket, nowMs);
    if (parked.size > 0) {
      const woken = policy.wake([...parked], provider, world, nowMs, WAKE_PER_FREED_SLOT);
      for (const waiting of woken) if (waiting.parked) route(waiting, nowMs);
    }
    kick(provider, nowMs);
  }

  function atRisk(ticket: SimTicket, nowMs: number): void {
    if (ticket.status !== 'queued') return;
    const holder = world.byId.get(ticket.providerId as string) as SimProvider;
    if (!policy.willMiss(ticket, holder, world, nowMs)) return;
    removeFromQueue(ticket);
    ticket.status = 'waiting';
    route(ticket, nowMs);
  }

  /** A parked ticket can only move when a provider that may take it has room. */
  const mightFit = (ticket: SimTicket) =>
    providers.some(
      (p) => p.snapshot.openItems + effortOf(ticket) <= p.snapshot.capacity && mayTake(p.snapshot, ticket),
    );

  function sweep(nowMs: number): void {
    for (const ticket of [...parked]) {
      if (ticket.parked && ticket.lastTriedMs + RETRY_SECONDS * 1000 <= nowMs && mightFit(ticket))
        route(ticket, nowMs);
    }
    if (canSteal) for (const provider of providers) if (!provider.working) kick(provider, nowMs);
  }

  function sample(nowMs: number): void {
    const hour = new Date(nowMs).getUTCHours();
    providers.forEach((provider, i) => {
      if (!isOpenAt(calendarOf(provider, nowMs), nowMs)) return;
      const open = counters.openSamples[i] as number[];
      open[hour] = (open[hour] as number) + 1;
      const busy = counters.busySamples[i] as number[];
      if (provider.working) busy[hour] = (busy[hour] as number) + 1;
    });
  }

  let arrived = 0;
  while (events.size > 0) {
    const { atMs, kind, ref } = events.pop();
    if (atMs > endMs) break;
    switch (kind) {
      case Kind.Arrival:
        route(tickets[ref] as SimTicket, atMs);
        if (++arrived % 1000 === 0) config.onProgress?.(arrived);
        break;
      case Kind.Complete:
        complete(providers[ref] as SimProvider, atMs);
        break;
      case Kind.Open: {
        const provider = providers[ref] as SimProvider;
        provider.waitingForOpening = false;
        kick(provider, atMs);
        break;
      }
      case Kind.AtRisk:
        atRisk(tickets[ref] as SimTicket, atMs);
        break;
      case Kind.Sweep:
        sweep(atMs);
        if (atMs + SWEEP_MS <= endMs) events.push(atMs + SWEEP_MS, Kind.Sweep, 0);
        break;
      case Kind.Sample:
        sample(atMs);
        if (atMs + SAMPLE_MS <= lastMs) events.push(atMs + SAMPLE_MS, Kind.Sample, 0);
        break;
    }
  }
  config.onProgress?.(tickets.length);
  return summarise(config, tickets, providers, counters);
}
