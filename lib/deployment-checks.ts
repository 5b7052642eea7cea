import type { HarborDrConfig } from '../lambdas/shared/config';

/**
 * Lambda caps all of a function's environment variables at 4 KB together; the config JSON
 * gets this much, leaving room for the bucket, topic and Powertools variables.
 */
export const MAX_CONFIG_ENV_BYTES = 3_072;

/** The configuration is valid but cannot be deployed as it is; names each field. */
export class DeploymentConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `configuration not deployable to AWS:\n${problems.map((p) => `  - ${p}`).join('\n')}`
    );
    this.name = 'DeploymentConfigError';
    this.problems = problems;
  }
}

/**
 * What a configuration that is fine locally cannot do in Lambda: read credentials from
 * environment variables or files (the functions only read Secrets Manager), or exceed the
 * environment's 4 KB.
 */
export function deploymentProblems(config: HarborDrConfig): string[] {
  const problems: string[] = [];
  const registries: [string, HarborDrConfig['primary']['credentials']][] = [
    ['primary', config.primary.credentials],
    ['primary.operatorCredentials', config.primary.operatorCredentials],
    ...config.targets.map(
      (t, i): [string, HarborDrConfig['primary']['credentials']] => [
        `targets[${String(i)}]`,
        t.credentials,
      ]
    ),
  ];
  for (const [path, credentials] of registries) {
    if (credentials && credentials.secretId === undefined) {
      const field = path.endsWith('Credentials') ? path : `${path}.credentials`;
      problems.push(
        `${field}: must be a secretId when deployed to AWS (env and file are for local runs)`
      );
    }
  }
  const bytes = Buffer.byteLength(
    JSON.stringify(runtimeConfig(config)),
    'utf8'
  );
  if (bytes > MAX_CONFIG_ENV_BYTES) {
    problems.push(
      `(root): is ${String(bytes)} bytes as JSON, over the ${String(MAX_CONFIG_ENV_BYTES)} bytes a Lambda environment leaves for it`
    );
  }
  return problems;
}

/**
 * The configuration the functions receive: all but the deployment section, which is
 * synth-time only (and Lambda caps all environment variables at 4 KB together).
 */
export function runtimeConfig(
  config: HarborDrConfig
): Omit<HarborDrConfig, 'deployment'> {
  const copy: Partial<HarborDrConfig> = { ...config };
  delete copy.deployment;
  return copy as Omit<HarborDrConfig, 'deployment'>;
}
