// cdk-nag's AwsSolutions pack over the whole app, as `cdk synth` runs it:
// any finding not acknowledged in infra/constructs/nag-suppressions.ts fails.
import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { suppressionsOf } from '../../infra/constructs/nag-suppressions.js';
import { OutrouteStack } from '../../infra/stack.js';
import { stageConfig } from '../../infra/stage-config.js';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

function build(stage: 'dev' | 'prod') {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], stage } });
  const config = stageConfig(app.node);
  const stack = new OutrouteStack(app, config.prefix, { config });
  return { app, stack };
}

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions on the %s stage', (stage) => {
  it('reports no unacknowledged error or warning', () => {
    const { app } = build(stage);
    app.synth();
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
      ),
    );
    expect(findings).toStrictEqual([]);
  });

  it('passes the validation plugin that `cdk synth` runs', () => {
    const { app } = build(stage);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges narrowly: one construct below the stack, one rule or listed finding, a specific reason', () => {
    const { stack } = build(stage);
    const suppressions = suppressionsOf.get(stack) ?? [];
    expect(suppressions.length).toBeGreaterThan(0);
    for (const { path, id, reason } of suppressions) {
      expect(path.startsWith(`${stack.stackName}/`), path).toBe(true);
      expect(id).toMatch(/^AwsSolutions-[A-Z0-9]+(\[[^\]]+\])?$/);
      // Wildcard rules are acknowledged per finding, never as a whole rule.
      if (/^AwsSolutions-IAM[45]/.test(id)) expect(id, path).toMatch(/\[.+\]$/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThanOrEqual(60);
    }
  });
});
