// Hard filters: every reason a provider may not take a ticket at all, before any prediction or score.
import { DATA_CLEARANCES } from './schemas.js';
import type { DataClearance, IneligibilityReason, ProviderSnapshot, RoutableTicket } from './types.js';

const clearanceRank = (clearance: DataClearance) => DATA_CLEARANCES.indexOf(clearance);

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
  if (provider.openItems >= provider.capacity) reasons.push('at_capacity');
  return reasons;
}
