// The events Outroute publishes to the world outside (API.md, "Events out").
// A domain type: the domain decides what a change means; shared/messaging/ only delivers it.

/** One event out, as API.md's "Events out" describes. `id` lets consumers drop replays. */
export interface OutEvent {
  id: string;
  type: string;
  at: string;
  ticketId?: string;
  providerId?: string;
  [field: string]: unknown;
}
