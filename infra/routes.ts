// The one route table of the HTTP API: the CDK stack wires each route to its
// function, the local runtime dispatches with it, and each handler takes its
// allowed roles from here.
import type { z } from 'zod';
import {
  auditQuerySchema,
  createKeySchema,
  listKeysQuerySchema,
  rotateKeySchema,
} from '../shared/domain/access-schemas.js';
import {
  adminTicketInputSchema,
  completeRequestSchema,
  escalateRequestSchema,
  extendRequestSchema,
  holdRequestSchema,
  leaseRequestSchema,
  listTicketsQuerySchema,
  metricsQuerySchema,
  providerInputSchema,
  providerStatusSchema,
  rejectRequestSchema,
  releaseRequestSchema,
  resumeRequestSchema,
  routingPolicySchema,
  slaPolicySchema,
  ticketBatchSchema,
  transferRequestSchema,
} from '../shared/domain/schemas.js';
import {
  reprioritizeRequestSchema,
  respondRequestSchema,
  slaMetricsQuerySchema,
  slaPolicyDefinitionSchema,
} from '../shared/domain/sla.js';
import {
  contractInputSchema,
  contractQuerySchema,
  scorecardQuerySchema,
} from '../shared/domain/contracts.js';
import { feedbackRequestSchema } from '../shared/domain/feedback.js';
import type { Role } from '../shared/domain/types.js';
import { webhookInputSchema } from '../shared/domain/webhooks.js';

export interface RouteDefinition {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The handler's file below functions/, without extension. */
  entry: string;
  /** Who may call it; 'public' routes skip the authorizer. */
  roles: readonly Role[] | 'public';
  summary: string;
  /** The request schemas, for the OpenAPI document (handlers validate with the same ones). */
  body?: z.ZodType;
  query?: z.ZodType;
}

const route = (
  method: RouteDefinition['method'],
  path: string,
  entry: string,
  roles: RouteDefinition['roles'],
  summary: string,
  request: Pick<RouteDefinition, 'body' | 'query'> = {},
): RouteDefinition => ({ method, path, entry, roles, summary, ...request });

const ADMIN = ['admin'] as const;
const PROVIDER_WORK = ['admin', 'provider'] as const;

export const ROUTES = [
  route('GET', '/health', 'http/get-health', 'public', 'Health of the platform and its dependencies'),
  route('GET', '/openapi.json', 'http/get-openapi', 'public', 'This API as an OpenAPI 3.1 document'),
  route('GET', '/v1/providers', 'http/list-providers', ADMIN, 'List providers'),
  route('PUT', '/v1/providers/{providerId}', 'http/put-provider', ADMIN, 'Create or replace a provider', {
    body: providerInputSchema,
  }),
  route('GET', '/v1/providers/{providerId}', 'http/get-provider', PROVIDER_WORK, 'Read a provider'),
  route(
    'POST',
    '/v1/providers/{providerId}/status',
    'http/set-provider-status',
    ADMIN,
    'Pause, resume or take a provider offline (changes only its status)',
    { body: providerStatusSchema },
  ),
  route(
    'DELETE',
    '/v1/providers/{providerId}',
    'http/delete-provider',
    ADMIN,
    'Delete a provider with no open items',
  ),
  route(
    'POST',
    '/v1/providers/{providerId}/keys',
    'http/create-provider-key',
    ADMIN,
    'Issue a provider API key',
    { body: createKeySchema },
  ),
  route('POST', '/v1/sources/{sourceId}/keys', 'http/create-source-key', ADMIN, 'Issue a source API key', {
    body: createKeySchema,
  }),
  route('GET', '/v1/keys', 'http/list-keys', ADMIN, 'List API keys (never their secrets)', {
    query: listKeysQuerySchema,
  }),
  route('DELETE', '/v1/keys/{keyId}', 'http/delete-key', ADMIN, 'Revoke an API key'),
  route(
    'POST',
    '/v1/keys/{keyId}/rotate',
    'http/rotate-key',
    ADMIN,
    'Issue a successor key; the old one expires after a grace period',
    { body: rotateKeySchema },
  ),
  route('GET', '/v1/audit', 'http/list-audit', ADMIN, 'The access audit trail', { query: auditQuerySchema }),
  route('GET', '/v1/sla-policy', 'http/get-sla-policy', ADMIN, 'Read the SLA policy'),
  route('PUT', '/v1/sla-policy', 'http/put-sla-policy', ADMIN, 'Replace the SLA policy', {
    body: slaPolicySchema,
  }),
  route('GET', '/v1/sla-policies', 'http/list-sla-policies', ADMIN, 'List SLA policies in matching order'),
  route(
    'PUT',
    '/v1/sla-policies/{policyId}',
    'http/put-named-sla-policy',
    ADMIN,
    'Create or replace an SLA policy: conditions, business-hours calendar, targets per priority',
    { body: slaPolicyDefinitionSchema },
  ),
  route('GET', '/v1/sla-policies/{policyId}', 'http/get-named-sla-policy', ADMIN, 'Read an SLA policy'),
  route(
    'DELETE',
    '/v1/sla-policies/{policyId}',
    'http/delete-named-sla-policy',
    ADMIN,
    'Delete an SLA policy',
  ),
  route('GET', '/v1/routing-policy', 'http/get-routing-policy', ADMIN, 'Read the routing policy'),
  route('PUT', '/v1/routing-policy', 'http/put-routing-policy', ADMIN, 'Replace the routing policy', {
    body: routingPolicySchema,
  }),
  route('POST', '/v1/tickets', 'http/create-ticket', ['admin', 'source'], 'Submit a ticket', {
    body: adminTicketInputSchema,
  }),
  route(
    'POST',
    '/v1/tickets/batch',
    'http/create-ticket-batch',
    ['admin', 'source'],
    'Submit up to 100 tickets',
    { body: ticketBatchSchema },
  ),
  route('GET', '/v1/tickets', 'http/list-tickets', ['admin', 'source'], 'List tickets', {
    query: listTicketsQuerySchema,
  }),
  route('GET', '/v1/tickets/{ticketId}', 'http/get-ticket', ['admin', 'source', 'provider'], 'Read a ticket'),
  route(
    'POST',
    '/v1/tickets/{ticketId}/cancel',
    'http/cancel-ticket',
    ['admin', 'source'],
    'Cancel a ticket',
  ),
  route(
    'PATCH',
    '/v1/tickets/{ticketId}',
    'http/reprioritize-ticket',
    ['admin', 'source'],
    "Change a ticket's priority (its SLA targets are recomputed)",
    { body: reprioritizeRequestSchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/respond',
    'http/respond-ticket',
    PROVIDER_WORK,
    'Report the first response on a leased ticket (once)',
    { body: respondRequestSchema },
  ),
  route(
    'POST',
    '/v1/providers/{providerId}/lease',
    'http/lease-tickets',
    PROVIDER_WORK,
    "Lease from a provider's queue",
    { body: leaseRequestSchema },
  ),
  route('POST', '/v1/tickets/{ticketId}/extend', 'http/extend-lease', PROVIDER_WORK, 'Extend a lease', {
    body: extendRequestSchema,
  }),
  route(
    'POST',
    '/v1/tickets/{ticketId}/complete',
    'http/complete-ticket',
    PROVIDER_WORK,
    'Complete a leased ticket',
    { body: completeRequestSchema },
  ),
  route('POST', '/v1/tickets/{ticketId}/release', 'http/release-ticket', PROVIDER_WORK, 'Release a lease', {
    body: releaseRequestSchema,
  }),
  route(
    'POST',
    '/v1/tickets/{ticketId}/reject',
    'http/reject-ticket',
    PROVIDER_WORK,
    'Reject a leased ticket',
    { body: rejectRequestSchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/hold',
    'http/hold-ticket',
    PROVIDER_WORK,
    'Put a leased ticket on hold: the SLA clock stops, the provider keeps it',
    { body: holdRequestSchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/resume',
    'http/resume-ticket',
    ['admin', 'source', 'provider'],
    'Resume a ticket on hold: queued again at its provider, due moved later by the time paused',
    { body: resumeRequestSchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/escalate',
    'http/escalate-ticket',
    PROVIDER_WORK,
    'Send a leased ticket back to routing for another skill, keeping its SLA clock',
    { body: escalateRequestSchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/transfer',
    'http/transfer-ticket',
    ADMIN,
    'Move a queued or held ticket to a named provider that passes the hard filters',
    { body: transferRequestSchema },
  ),
  route(
    'GET',
    '/v1/metrics/providers',
    'http/get-provider-metrics',
    ADMIN,
    'Routing and SLA figures per provider',
    { query: metricsQuerySchema },
  ),
  route('GET', '/v1/metrics/backlog', 'http/get-backlog', ADMIN, 'Open items by skill and priority'),
  route(
    'GET',
    '/v1/metrics/sla',
    'http/get-sla-metrics',
    ADMIN,
    'SLA attainment per policy, priority and target',
    { query: slaMetricsQuerySchema },
  ),
  // Contracts, feedback and scorecards (issue 10).
  route(
    'PUT',
    '/v1/providers/{providerId}/contract',
    'http/put-provider-contract',
    ADMIN,
    "Store a new version of a provider's contract (rates, minimum volume, KPIs, credits)",
    { body: contractInputSchema },
  ),
  route(
    'GET',
    '/v1/providers/{providerId}/contract',
    'http/get-provider-contract',
    ADMIN,
    'The contract version in force now, or at ?at=',
    { query: contractQuerySchema },
  ),
  route(
    'GET',
    '/v1/providers/{providerId}/contract/versions',
    'http/list-contract-versions',
    ADMIN,
    "Every version of a provider's contract, newest first",
  ),
  route(
    'GET',
    '/v1/providers/{providerId}/scorecard',
    'http/get-provider-scorecard',
    ADMIN,
    "A provider's scorecard for a period: KPIs, fees, credits, shortfall, net payable",
    { query: scorecardQuerySchema },
  ),
  route(
    'GET',
    '/v1/scorecards',
    'http/list-scorecards',
    ADMIN,
    'Scorecards of every provider with a contract (?format=csv for a spreadsheet)',
    { query: scorecardQuerySchema },
  ),
  route(
    'POST',
    '/v1/tickets/{ticketId}/feedback',
    'http/give-feedback',
    ['admin', 'source'],
    'QA score, CSAT and comment on a completed ticket, or reopen it for rework',
    { body: feedbackRequestSchema },
  ),
  // Webhooks: admin for all; a provider key for those scoped to its own provider.
  route('GET', '/v1/webhooks', 'http/list-webhooks', PROVIDER_WORK, 'List webhook subscriptions'),
  route(
    'PUT',
    '/v1/webhooks/{webhookId}',
    'http/put-webhook',
    PROVIDER_WORK,
    'Create or replace a webhook subscription (a generated secret is shown once)',
    { body: webhookInputSchema },
  ),
  route('GET', '/v1/webhooks/{webhookId}', 'http/get-webhook', PROVIDER_WORK, 'Read a webhook subscription'),
  route(
    'DELETE',
    '/v1/webhooks/{webhookId}',
    'http/delete-webhook',
    PROVIDER_WORK,
    'Delete a webhook subscription',
  ),
  route(
    'POST',
    '/v1/webhooks/{webhookId}/test',
    'http/test-webhook',
    PROVIDER_WORK,
    'Send a signed ping now and report what the receiver answered',
  ),
  route(
    'GET',
    '/v1/webhooks/{webhookId}/deliveries',
    'http/list-webhook-deliveries',
    PROVIDER_WORK,
    'The last delivery attempts: status, latency, error',
  ),
] as const satisfies readonly RouteDefinition[];

export type RouteKey = `${(typeof ROUTES)[number]['method']} ${(typeof ROUTES)[number]['path']}`;

export const routeKeyOf = (definition: RouteDefinition) => `${definition.method} ${definition.path}`;

export function routeFor(key: RouteKey): RouteDefinition {
  const found = ROUTES.find((definition) => routeKeyOf(definition) === key);
  if (!found) throw new Error(`no route ${key}`);
  return found;
}
