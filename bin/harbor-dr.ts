import { App } from 'aws-cdk-lib';
import { DeploymentConfigError } from '../lib/deployment-checks';
import { HarborDrStack } from '../lib/harbor-dr-stack';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { ConfigError } from '../lambdas/core/errors';
import { CONFIG_PATH_ENV } from '../lambdas/shared/env-keys';

const app = new App();
const configPath =
  (app.node.tryGetContext('config') as string | undefined) ??
  process.env[CONFIG_PATH_ENV] ??
  'examples/harbor-dr.yaml';

let config;
try {
  config = loadConfigFile(configPath);
} catch (err) {
  // A bad config stops synth with the fields named, without a stack trace to read past.
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

try {
  new HarborDrStack(app, 'HarborDrAuditor', {
    config,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  });
} catch (err) {
  // Valid locally but not deployable (env/file credentials): the fields, no stack trace.
  if (!(err instanceof DeploymentConfigError)) throw err;
  console.error(`${configPath}: ${err.message}`);
  process.exit(1);
}
