// The CDK app: `npx cdk synth -c stage=dev|prod [-c alarmEmail=ops@example.com]`.
// cdk-nag's AwsSolutions pack validates every synth; a finding that is not
// acknowledged in infra/constructs/nag-suppressions.ts fails it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OutrouteStack } from './stack.js';
import { stageConfig } from './stage-config.js';

const app = new App();
const config = stageConfig(app.node);
new OutrouteStack(app, config.prefix, {
  config,
  description: `Outroute (${config.stage}): routing of outsourced work across BPO providers`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
