// The intake and routing queues with their dead-letter queues, built from
// infra/resources.ts, plus the bucket that keeps stream batches the stream
// consumer gave up on. All KMS-encrypted with the platform key, TLS only.
import { Duration } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueDefinition, type QueueName } from '../resources.js';
import type { StageConfig } from '../stage-config.js';

/** Dead letters stay as long as SQS allows, so an operator has time to look (the local runtime does the same). */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** Every queue of the platform: KMS with the platform key, TLS only. */
export const encryptedQueueProps = (key: IKey) => ({
  encryption: QueueEncryption.KMS,
  encryptionMasterKey: key,
  // One KMS data key per hour per principal instead of per 5 minutes: fewer KMS calls, same key.
  dataKeyReuse: Duration.hours(1),
  enforceSSL: true,
});

export interface WorkQueue {
  definition: QueueDefinition;
  queue: Queue;
  deadLetterQueue: Queue;
}

export class Queues extends Construct {
  readonly intake: WorkQueue;
  readonly routing: WorkQueue;
  /**
   * The stream event source's on-failure destination. S3, not SQS: an SQS destination receives only the
   * shard and sequence numbers, which the stream forgets after 24 h; S3 receives the records themselves
   * (`outroute dlq` lists and redrives them; README, "Stream failures").
   */
  readonly streamFailures: Bucket;

  constructor(scope: Construct, id: string, props: { config: StageConfig; key: IKey }) {
    super(scope, id);
    const encrypted = encryptedQueueProps(props.key);
    const workQueue = (name: QueueName): WorkQueue => {
      const definition = QUEUES[name];
      const deadLetterQueue = new Queue(this, `${definition.logicalName}Dlq`, {
        ...encrypted,
        queueName: `${props.config.prefix}-${name}-dlq`,
        retentionPeriod: DEAD_LETTER_RETENTION,
      });
      const queue = new Queue(this, definition.logicalName, {
        ...encrypted,
        queueName: `${props.config.prefix}-${name}`,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(definition.retentionDays),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      });
      return { definition, queue, deadLetterQueue };
    };
    this.intake = workQueue('intake');
    this.routing = workQueue('routing');
    this.streamFailures = new Bucket(this, 'StreamFailures', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: props.config.removalPolicy,
      // Longer than SQS could keep them: time to find the bug and redrive.
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
    });
  }
}
