// The EventBridge bus for events out (API.md "Events out"): the stream
// consumer publishes `source: outroute` events here; subscribers add rules.
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';

export class EventsOut extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `${config.prefix}-events`,
      description: 'Outroute events out: ticket and provider changes',
    });
  }
}
