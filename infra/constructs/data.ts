// The table and the customer-managed key that encrypts it (and the queues and
// the alarm topic), built from infra/resources.ts like the local runtime's.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE } from '../resources.js';
import type { StageConfig } from '../stage-config.js';

export class Data extends Construct {
  readonly key: Key;
  readonly table: Table;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      alias: `alias/${config.prefix}`,
      description: `Outroute ${config.stage}: table, queues and alarm topic`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      pendingWindow: config.removalPolicy === RemovalPolicy.DESTROY ? Duration.days(7) : Duration.days(30),
    });
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, TABLE.logicalName, {
      tableName: `${config.prefix}-table`,
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      stream: StreamViewType[TABLE.streamView],
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      deletionProtection: config.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: config.removalPolicy,
    });
    for (const index of TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        ...(index.include
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }
          : { projectionType: ProjectionType.ALL }),
      });
    }
  }
}
