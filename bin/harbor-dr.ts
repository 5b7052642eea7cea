import { App } from 'aws-cdk-lib';
import {
  configPathFor,
  DeploymentConfigError,
  exampleHostProblems,
} from '../lib/deployment-checks';
import { HarborDrStack } from '../lib/harbor-dr-stack';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { ConfigError } from '../lambdas/core/errors';

const app = new App();

let configPath: string;
try {
  configPath = configPathFor(app.node.tryGetContext('config'), process.env);
} catch (err) {
  if (!(err instanceof DeploymentConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

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
  const examples = exampleHostProblems(config);
  if (examples.length > 0) throw new DeploymentConfigError(examples);
  new HarborDrStack(app, 'HarborDrAuditor', {
    config,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  });
} catch (err) {
  // Valid locally but not deployable (example hosts, env/file credentials, an unreadable
  // CA bundle): the fields, no stack trace.
  if (!(err instanceof DeploymentConfigError)) throw err;
  console.error(`${configPath}: ${err.message}`);
  process.exit(1);
}
