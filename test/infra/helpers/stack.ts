import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { HarborDrStack } from '../../../lib/harbor-dr-stack';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { ECHO_ENTRY, fastApp } from './synth';

/** Synthesizes the stack from a config and returns it with its template. */
export function synthStack(
  config = loadConfigFile('examples/harbor-dr.yaml'),
  options: { nag?: boolean } = {}
) {
  const app = fastApp();
  if (options.nag) {
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app),
      new ServerlessChecks(app)
    );
  }
  const stack = new HarborDrStack(app, 'Test', {
    config,
    handlerEntries: { audit: ECHO_ENTRY, readiness: ECHO_ENTRY },
  });
  return { app, stack, template: () => Template.fromStack(stack) };
}
