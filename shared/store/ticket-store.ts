import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { capacityUnits, holdsCapacity, isOpen } from '../domain/ticket.js';
import type { CounterIncrement } from '../domain/metric-counts.js';
import type { RoutingExplanation, Ticket } from '../domain/types.js';
import { failedConditionIndexes, isConditionFailure } from './dynamo-client.js';
import {
  parkedPartitions,
  providerKey,
  queueIndexKeys,
  queuePartition,
  statusIndexKeys,
  ticketKey,
  timerIndexKeys,
  timerPartitions,
} from './keys.js';
import { INDEXED_TICKET_FIELDS } from './layout.js';
import { CHANGE_SEQ } from './provider-store.js';
import { batchGetItems, stripLayout, type Table } from './table.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How long closed tickets are kept before DynamoDB's TTL removes them. */
export const CLOSED_RETENTION_DAYS = 90;
/**
 * A ticket's payload and explanation are removed by TTL a year after they were
 * written: past any ticket's life plus the closed-ticket retention.
 */
const SIDE_ITEM_RETENTION_DAYS = 365;
const sideItemExpiry = (writtenAt: string) =>
  Math.floor(Date.parse(writtenAt) / 1000) + SIDE_ITEM_RETENTION_DAYS * 86400;
/** Payloads written before they were keyed by body hash. */
const LEGACY_PAYLOAD_SK = 'PAYLOAD';
const explanationKey = (ticketId: string) => ({ pk: ticketKey(ticketId).pk, sk: 'ROUTING' });
const payloadKey = (ticketId: string, bodyHash: string) => ({
  pk: ticketKey(ticketId).pk,
  sk: `PAYLOAD#${bodyHash}`,
});

/**
 * Everything of a ticket that no index, condition or filter reads (history, SLA
 * clocks, lease…) is kept compressed in one binary attribute, so the item stays
 * under 1 KB and every write of it costs one write unit; the indexed fields and
 * `version` stay plain attributes. The routing explanation (up to 25 candidates)
 * is an item of its own, written once per decision (see saveTicket).
 */
const COLD_ATTRIBUTE = 'cold';
const HOT_FIELDS = new Set<string>([...INDEXED_TICKET_FIELDS, 'version']);

/**
 * The index entry a ticket's state calls for (one at a time, so a transition
 * moves one entry at most): while it holds capacity, its provider's queue
 * partition (queued and leased together: a provider's partition never holds
 * more than its capacity); while otherwise open, a timer bucket; once closed,
 * a shard of its status.
 */
function indexKeysOf(ticket: Ticket): Record<string, string> {
  if (holdsCapacity(ticket) && ticket.providerId)
    return queueIndexKeys(ticket.providerId, ticket.dueAt, ticket.ticketId);
  if (isOpen(ticket.status))
    return timerIndexKeys(
      ticket.ticketId,
      ticket.nextCheckAt ?? ticket.updatedAt,
      ticket.status === 'parked',
    );
  return statusIndexKeys(ticket.status, ticket.createdAt, ticket.ticketId);
}

/** The stored item: the ticket's hot fields, the rest compressed, and its one index entry. */
export function ticketItem(ticket: Ticket): Record<string, unknown> {
  const hot: Record<string, unknown> = {};
  const cold: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ticket)) {
    if (value === undefined || name === 'payload' || name === 'routing') continue;
    (HOT_FIELDS.has(name) ? hot : cold)[name] = value;
  }
  const item: Record<string, unknown> = {
    ...hot,
    ...ticketKey(ticket.ticketId),
    entity: 'ticket',
    [COLD_ATTRIBUTE]: deflateRawSync(JSON.stringify(cold)),
    ...indexKeysOf(ticket),
  };
  if (!isOpen(ticket.status)) {
    item.expiresAt = Math.floor(Date.parse(ticket.updatedAt) / 1000) + CLOSED_RETENTION_DAYS * 86400;
  }
  return item;
}

/** A ticket from its stored item (a table read or a stream image). */
export function ticketFromItem(item: Record<string, unknown>): Ticket {
  const { [COLD_ATTRIBUTE]: cold, ...rest } = stripLayout<Record<string, unknown>>(item);
  if (!(cold instanceof Uint8Array)) return rest as unknown as Ticket;
  return { ...JSON.parse(inflateRawSync(cold).toString('utf8')), ...rest } as Ticket;
}

/**
 * The payload first (its own item, keyed by the body's hash, so a different
 * body for the same ticket never overwrites it), then the ticket on condition
 * that it is new: two single writes instead of a transaction. A payload left
 * by a crash between them is only found by its ticket, so it is harmless.
 */
export async function insertTicket(
  table: Table,
  ticket: Ticket,
  payload: unknown,
): Promise<'created' | 'exists'> {
  if (payload !== undefined)
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        // As JSON text: a map attribute would refuse (or worse, silently change) keys such as
        // "constructor" or "", numbers beyond DynamoDB's range, and nesting beyond 32 levels.
        Item: {
          ...payloadKey(ticket.ticketId, ticket.bodyHash),
          entity: 'payload',
          payloadJson: JSON.stringify(payload),
          expiresAt: sideItemExpiry(ticket.createdAt),
        },
      }),
    );
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: ticketItem(ticket),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'created';
  } catch (error) {
    if (isConditionFailure(error)) return 'exists';
    throw error;
  }
}

/** A ticket with its routing explanation: both items in one consistent read. */
export async function getTicket(table: Table, ticketId: string): Promise<Ticket | undefined> {
  return (await getTickets(table, [ticketId]))[0];
}

/** Tickets by id with their explanations (consistent reads, 50 a request), in the order asked; missing ones left out. */
export async function getTickets(table: Table, ticketIds: readonly string[]): Promise<Ticket[]> {
  const unique = [...new Set(ticketIds)];
  const items = await batchGetItems(
    table,
    unique.flatMap((id) => [ticketKey(id), explanationKey(id)]),
  );
  const tickets = new Map<string, Ticket>();
  const explanations = new Map<string, RoutingExplanation>();
  for (const item of items) {
    const ticketId = String(item.pk).slice('TICKET#'.length);
    if (item.sk === 'ROUTING') explanations.set(ticketId, explanationOf(item));
    else tickets.set(ticketId, ticketFromItem(item));
  }
  return unique.flatMap((id) => {
    const ticket = tickets.get(id);
    if (!ticket) return [];
    const routing = explanations.get(id);
    return [routing ? { ...ticket, routing } : ticket];
  });
}

const explanationOf = (item: Record<string, unknown>): RoutingExplanation =>
  JSON.parse(inflateRawSync(item.explanation as Uint8Array).toString('utf8')) as RoutingExplanation;

/** The explanation, unconditionally (the local layout migration). */
export async function putExplanation(
  table: Table,
  ticketId: string,
  routing: RoutingExplanation,
): Promise<void> {
  await table.db.send(new PutCommand({ TableName: table.name, Item: explanationItem(ticketId, routing) }));
}

const explanationItem = (ticketId: string, routing: RoutingExplanation, forVersion?: number) => ({
  ...explanationKey(ticketId),
  entity: 'explanation',
  explanation: deflateRawSync(JSON.stringify(routing)),
  ...(forVersion === undefined ? {} : { forVersion }),
  expiresAt: sideItemExpiry(routing.decidedAt),
});

/**
 * A decision's explanation is written just before the ticket's write that
 * acts on it (so a reader never sees the ticket without it), for the
 * ticket's next version and only over an older one: of two routers racing
 * over one version, the first to write keeps the item. `false` when this one
 * came second — if its write then wins, it writes the explanation again
 * (afterDecision), so the explanation kept is always the one acted on.
 */
async function beforeDecision(table: Table, next: Ticket, version: number): Promise<boolean> {
  if (!next.routing) return true;
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: explanationItem(next.ticketId, next.routing, version),
        ConditionExpression: 'attribute_not_exists(forVersion) OR forVersion < :version',
        ExpressionAttributeValues: { ':version': version },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function afterDecision(table: Table, next: Ticket, version: number, written: boolean): Promise<void> {
  if (written || !next.routing) return;
  await table.db.send(
    new PutCommand({ TableName: table.name, Item: explanationItem(next.ticketId, next.routing, version) }),
  );
}

/** The payloads of the given tickets, by ticket id. */
export async function getPayloads(
  table: Table,
  tickets: readonly Pick<Ticket, 'ticketId' | 'bodyHash'>[],
): Promise<Map<string, unknown>> {
  const payloads = new Map<string, unknown>();
  const found = await batchGetItems(
    table,
    tickets.flatMap(({ ticketId, bodyHash }) => [
      payloadKey(ticketId, bodyHash),
      { pk: ticketKey(ticketId).pk, sk: LEGACY_PAYLOAD_SK },
    ]),
  );
  const bodyHashOf = new Map(tickets.map((ticket) => [ticketKey(ticket.ticketId).pk, ticket.bodyHash]));
  for (const item of found) {
    const pk = String(item.pk);
    const current = item.sk === `PAYLOAD#${bodyHashOf.get(pk)}`;
    const ticketId = pk.slice('TICKET#'.length);
    if (current || !payloads.has(ticketId)) payloads.set(ticketId, payloadOf(item));
  }
  return payloads;
}

/** Payloads are kept as JSON text; items written before that kept a map attribute. */
const payloadOf = (item: Record<string, unknown>): unknown =>
  typeof item.payloadJson === 'string' ? JSON.parse(item.payloadJson) : item.payload;

/**
 * `units` (effort units) of a provider's capacity taken, only from an active provider with room for all of
 * them. DynamoDB conditions cannot add, so more than one unit is taken against
 * the capacity read from the provider: room means `openItems <= capacity - units`, and the same write
 * requires the capacity to be still that value, so a capacity edit racing the reservation fails it instead
 * of letting it overrun. One unit needs no capacity read: `openItems < capacity`, as always.
 */
export function capacityChange(
  table: Table,
  providerId: string,
  units: number,
  capacity?: number,
): TransactItem {
  const names = { '#status': 'status', '#capacity': 'capacity' };
  if (units === 1) {
    return {
      Update: {
        TableName: table.name,
        Key: providerKey(providerId),
        // The change marker rides on the take (CHANGE_SEQ): other routers re-read this provider's queue.
        UpdateExpression: `ADD openItems :one, ${CHANGE_SEQ} :one`,
        ConditionExpression: 'openItems < #capacity AND #status = :active',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': 1, ':active': 'active' },
      },
    };
  }
  // Unknown capacity: a limit no counter meets, so the reservation is refused rather than guessed.
  const known = capacity ?? -1;
  return {
    Update: {
      TableName: table.name,
      Key: providerKey(providerId),
      UpdateExpression: `ADD openItems :units, ${CHANGE_SEQ} :one`,
      ConditionExpression: 'openItems <= :limit AND #capacity = :capacity AND #status = :active',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':units': units,
        ':one': 1,
        ':limit': known - units,
        ':capacity': known,
        ':active': 'active',
      },
    },
  };
}

export type SaveResult = { ok: true } | { ok: false; staleTicket: boolean; failedProvider: boolean };

export interface SaveOptions {
  /** A provider's capacity as the caller read it (the router's snapshot); else it is read when needed. */
  capacityOf?: (providerId: string) => number | undefined;
}

/** Units given back to a provider, as a counter change the stream consumer applies once. */
export const capacityRelease = ({
  providerId,
  units,
}: {
  providerId: string;
  units: number;
}): CounterIncrement => ({
  key: providerKey(providerId),
  add: { openItems: -units, [CHANGE_SEQ]: 1 },
});

/**
 * Write a ticket's next state on condition that nobody changed it since it
 * was read (`version`), together with the capacity it takes (one transaction:
 * the take is conditioned on room, so capacity is never exceeded). Capacity it
 * gives back is not written here: the stream consumer applies it once from the
 * change (capacityReleases), so a completion or release is a single write and
 * a provider's `openItems` may stay high a moment longer, never too low.
 */
export async function saveTicket(
  table: Table,
  previous: Ticket,
  next: Ticket,
  options: SaveOptions = {},
): Promise<SaveResult> {
  const put = {
    TableName: table.name,
    Item: ticketItem({ ...next, version: previous.version + 1 }),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': previous.version },
  };
  const capacity = await capacityTakes(table, previous, next, options);
  // A new decision (the transitions carry the previous explanation over unchanged).
  const decided = next.routing !== undefined && next.routing !== previous.routing;
  const version = previous.version + 1;
  const written = decided ? await beforeDecision(table, next, version) : true;
  try {
    if (capacity.length === 0) await table.db.send(new PutCommand(put));
    else await table.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...capacity] }));
    await afterDecision(table, next, version, written);
    return { ok: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (capacity.length === 0) return { ok: false, staleTicket: true, failedProvider: false };
    const failed = failedConditionIndexes(error);
    return { ok: false, staleTicket: failed.includes(0), failedProvider: failed.some((index) => index > 0) };
  }
}

/**
 * Several tickets of one routing batch queued at the same provider in one
 * transaction: each ticket from the version that was read, with its
 * decision's explanation, and the provider's capacity taken once for all of
 * them (conditioned on room for every unit). All or nothing: false when any
 * ticket moved or the provider has no room.
 */
export async function saveTicketsTaking(
  table: Table,
  moves: readonly { previous: Ticket; next: Ticket }[],
  providerId: string,
  capacity: number | undefined,
): Promise<boolean> {
  const units = moves.reduce((sum, { next }) => sum + capacityUnits(next), 0);
  try {
    await table.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...moves.map(({ previous, next }) => ({
            Put: {
              TableName: table.name,
              Item: ticketItem({ ...next, version: previous.version + 1 }),
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': previous.version },
            },
          })),
          // Each decision's explanation in the same transaction, so it needs no condition of its own: it
          // is written exactly when the ticket's write that acts on it is. One request for the group
          // instead of one more per ticket (2 write units each in a transaction instead of 1).
          ...moves.flatMap(({ previous, next }) =>
            next.routing
              ? [
                  {
                    Put: {
                      TableName: table.name,
                      Item: explanationItem(next.ticketId, next.routing, previous.version + 1),
                    },
                  },
                ]
              : [],
          ),
          capacityChange(table, providerId, units, capacity),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  return true;
}

/** The effort units a move takes from providers: one conditional update per provider it takes from. */
async function capacityTakes(
  table: Table,
  previous: Ticket,
  next: Ticket,
  options: SaveOptions,
): Promise<TransactItem[]> {
  if (!next.providerId) return [];
  const held = previous.providerId === next.providerId ? capacityUnits(previous) : 0;
  const units = capacityUnits(next) - held;
  if (units <= 0) return [];
  const capacity =
    units > 1
      ? (options.capacityOf?.(next.providerId) ?? (await providerCapacity(table, next.providerId)))
      : undefined;
  return [capacityChange(table, next.providerId, units, capacity)];
}

async function providerCapacity(table: Table, providerId: string): Promise<number | undefined> {
  const result = await table.db.send(
    new GetCommand({
      TableName: table.name,
      Key: providerKey(providerId),
      ConsistentRead: true,
      ProjectionExpression: '#capacity',
      ExpressionAttributeNames: { '#capacity': 'capacity' },
    }),
  );
  const capacity = result.Item?.capacity;
  return typeof capacity === 'number' ? capacity : undefined;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return key && typeof key === 'object' && !Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** What the queue and timer indexes keep of a ticket (the status index keeps whole closed tickets). */
export type IndexedTicket = Pick<Ticket, (typeof INDEXED_TICKET_FIELDS)[number]>;

/** One page of a query over an index, with an opaque cursor. */
export async function queryTickets(
  table: Table,
  query: {
    index: 'queue' | 'timers' | 'by-status';
    partition: string;
    sortBefore?: string;
    limit: number;
    cursor?: Record<string, unknown>;
    filter?: { expression: string; values: Record<string, unknown>; names?: Record<string, string> };
  },
): Promise<Page<IndexedTicket>> {
  const [pkName, skName] = {
    queue: ['gsi1pk', 'gsi1sk'],
    timers: ['gsi2pk', 'gsi2sk'],
    'by-status': ['gsi3pk', 'gsi3sk'],
  }[query.index] as [string, string];
  const result = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: query.index,
      KeyConditionExpression: query.sortBefore ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
      ExpressionAttributeNames: {
        '#pk': pkName,
        ...(query.sortBefore ? { '#sk': skName } : {}),
        ...query.filter?.names,
      },
      ExpressionAttributeValues: {
        ':pk': query.partition,
        ...(query.sortBefore ? { ':before': query.sortBefore } : {}),
        ...query.filter?.values,
      },
      FilterExpression: query.filter?.expression,
      Limit: query.limit,
      ExclusiveStartKey: query.cursor,
    }),
  );
  return {
    items: (result.Items ?? []).map(ticketFromItem),
    cursor: encodeCursor(result.LastEvaluatedKey),
  };
}

/** Every page of one index partition. */
export async function queryAll(
  table: Table,
  query: Omit<Parameters<typeof queryTickets>[1], 'limit' | 'cursor'>,
): Promise<IndexedTicket[]> {
  const tickets: IndexedTicket[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await queryTickets(table, { ...query, limit: 500, cursor });
    tickets.push(...page.items);
    cursor = decodeCursor(page.cursor);
  } while (cursor);
  return tickets;
}

/** The tickets holding the given providers' capacity (queued, leased, held), from their queue partitions. */
export async function ticketsHoldingCapacity(
  table: Table,
  providerIds: readonly string[],
): Promise<IndexedTicket[]> {
  const partitions = await Promise.all(
    providerIds.map((providerId) =>
      queryAll(table, { index: 'queue', partition: queuePartition(providerId) }),
    ),
  );
  return partitions.flat();
}

/** Every open ticket holding no capacity (received, parked, a hold that gave its slot back). */
export async function ticketsOnTimers(table: Table): Promise<IndexedTicket[]> {
  const partitions = [...timerPartitions(), ...parkedPartitions()];
  const pages = await Promise.all(
    partitions.map((partition) => queryAll(table, { index: 'timers', partition })),
  );
  return pages.flat();
}
