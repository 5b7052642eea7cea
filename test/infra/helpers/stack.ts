import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { HarborDrStack } from '../../../lib/harbor-dr-stack';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { ECHO_ENTRY, fastApp } from './synth';

/** A private CA certificate (PEM), the file a `caBundle` names. */
export const PRIVATE_CA_PEM = join(
  __dirname,
  '..',
  'fixtures',
  'private-ca.pem'
);

/**
 * examples/harbor-dr.yaml with its CA bundle at a file that exists here (the example names
 * /etc/ssl/private-ca.pem, which synth reads and ships with the functions).
 */
export function exampleConfig() {
  const config = loadConfigFile('examples/harbor-dr.yaml');
  return {
    ...config,
    targets: config.targets.map((t) =>
      t.caBundle ? { ...t, caBundle: PRIVATE_CA_PEM } : t
    ),
  };
}

/** Synthesizes the stack from a config and returns it with its template. */
export function synthStack(
  config = exampleConfig(),
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
