// Hard filters: every reason a provider may not take a ticket at all, before any prediction or score.
import { DATA_CLEARANCES } from './schemas.js';
import type { DataClearance, IneligibilityReason, ProviderSnapshot, RoutableTicket } from './types.js';

const CLEARANCE_RANKS = new Map<string, number>(DATA_CLEARANCES.map((clearance, rank) => [clearance, rank]));
/** Its place in DATA_CLEARANCES (-1: unknown), without searching the list on every provider. */
const clearanceRank = (clearance: DataClearance) => CLEARANCE_RANKS.get(clearance) ?? -1;

/** Every failing filter, in a fixed order, so an explanation shows all that must change (empty: passes). */
export function hardFilterReasons(provider: ProviderSnapshot, ticket: RoutableTicket): IneligibilityReason[] {
  const reasons: IneligibilityReason[] = [];
  if (provider.status === 'paused') reasons.push('status_paused');
  if (provider.status === 'offline') reasons.push('status_offline');
  // Own keys only: a skill named "constructor" must not find Object.prototype's.
  const proficiency = Object.hasOwn(provider.skills, ticket.skill)
    ? provider.skills[ticket.skill]
    : undefined;
  if (proficiency === undefined) reasons.push('missing_skill');
  else if (proficiency < ticket.minProficiency) reasons.push('low_proficiency');
  if (
    ticket.language !== undefined &&
    provider.languages !== undefined &&
    !provider.languages.includes(ticket.language)
  ) {
    reasons.push('language');
  }
  if (clearanceRank(provider.dataClearance) < clearanceRank(ticket.dataClassification))
    reasons.push('clearance');
  if (
    ticket.dataRegion !== undefined &&
    provider.dataRegions !== undefined &&
    !provider.dataRegions.includes(ticket.dataRegion)
  ) {
    reasons.push('region');
  }
  if (ticket.rejectedBy?.includes(provider.providerId)) reasons.push('rejected_before');
  // Capacity is in effort units: a ticket larger than the whole capacity never fits (a provider with none
  // at all is full, not too small); one that does not fit now waits for room.
  const effort = ticket.effort ?? 1;
  if (effort > provider.capacity && provider.capacity > 0) reasons.push('too_large');
  else if (provider.openItems + effort > provider.capacity) reasons.push('at_capacity');
  return reasons;
}

/** How a provider fares against the hard filters: the routing hot path needs this, not the reasons. */
export type HardFilterVerdict = 'passes' | 'full' | 'refused';

/**
 * hardFilterReasons without building the list: 'passes' when it is empty, 'full' when it is only
 * at_capacity, else 'refused'. The same tests in the same terms (a property test holds them equal).
 */
export function hardFilterVerdict(provider: ProviderSnapshot, ticket: RoutableTicket): HardFilterVerdict {
  const proficiency = Object.hasOwn(provider.skills, ticket.skill)
    ? provider.skills[ticket.skill]
    : undefined;
  return verdictWith(provider, proficiency, ticket, ticketClearanceRank(ticket));
}

/** The rank a provider's clearance must reach for the ticket (the decision looks it up once). */
export const ticketClearanceRank = (ticket: RoutableTicket) => clearanceRank(ticket.dataClassification);

/**
 * hardFilterVerdict with what a decision knows already: the provider's proficiency in the ticket's skill
 * (its skill index keeps it) and the ticket's clearance rank.
 */
export function verdictWith(
  provider: ProviderSnapshot,
  proficiency: number | undefined,
  ticket: RoutableTicket,
  clearanceNeeded: number,
): HardFilterVerdict {
  const refused =
    provider.status === 'paused' ||
    provider.status === 'offline' ||
    proficiency === undefined ||
    proficiency < ticket.minProficiency ||
    (ticket.language !== undefined &&
      provider.languages !== undefined &&
      !provider.languages.includes(ticket.language)) ||
    clearanceRank(provider.dataClearance) < clearanceNeeded ||
    (ticket.dataRegion !== undefined &&
      provider.dataRegions !== undefined &&
      !provider.dataRegions.includes(ticket.dataRegion)) ||
    ticket.rejectedBy?.includes(provider.providerId) === true;
  const effort = ticket.effort ?? 1;
  if (refused || (effort > provider.capacity && provider.capacity > 0)) return 'refused';
  return provider.openItems + effort > provider.capacity ? 'full' : 'passes';
}
