import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { OutEvent } from '../domain/events.js';
import { appendLines } from '../lib/append-lines.js';

export interface EventPublisher {
  publish(events: OutEvent[]): Promise<void>;
}

/** Locally: an append-only JSON-lines file, one event a line. */
export function jsonLinesPublisher(file: string): EventPublisher {
  return {
    async publish(events) {
      if (events.length)
        await appendLines(file, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    },
  };
}

/** In AWS: the platform's EventBridge bus, `source: outroute`, detail-type = event type. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(events) {
      for (let start = 0; start < events.length; start += 10) {
        const result = await client.send(
          new PutEventsCommand({
            Entries: events.slice(start, start + 10).map((event) => ({
              EventBusName: busName,
              Source: 'outroute',
              DetailType: event.type,
              Time: new Date(event.at),
              Detail: JSON.stringify(event),
            })),
          }),
        );
        if (result.FailedEntryCount) throw new Error(`EventBridge refused ${result.FailedEntryCount} events`);
      }
    },
  };
}
