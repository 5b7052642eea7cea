import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HarborDrConfig } from '../lambdas/shared/config';
import { CONFIG_PATH_ENV } from '../lambdas/shared/env-keys';

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
 * environment variables or files (the functions only read Secrets Manager), or name a CA
 * bundle that cannot be read at synth (it is shipped with the functions).
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
  problems.push(...caBundleProblems(config));
  return problems;
}

/**
 * The configuration the functions receive (as an S3 object, a CDK asset): all but the
 * deployment section, which is synth-time only, with every CA bundle inlined as PEM text: the functions run on another
 * machine, where the synth machine's file does not exist.
 * @throws DeploymentConfigError naming each `caBundle` that cannot be read
 */
export function runtimeConfig(
  config: HarborDrConfig
): Omit<HarborDrConfig, 'deployment'> {
  const copy: Partial<HarborDrConfig> = { ...config };
  delete copy.deployment;
  const problems: string[] = [];
  const inline = <T extends { caBundle?: string | undefined }>(
    r: T,
    field: string
  ): T => {
    if (r.caBundle === undefined) return r;
    const pem = readCaBundle(r.caBundle, field);
    if (typeof pem !== 'string') {
      problems.push(pem.problem);
      return r;
    }
    return { ...r, caBundle: pem };
  };
  const out = {
    ...(copy as Omit<HarborDrConfig, 'deployment'>),
    primary: inline(config.primary, 'primary.caBundle'),
    targets: config.targets.map((t, i) =>
      inline(t, `targets[${String(i)}].caBundle`)
    ),
  };
  if (problems.length > 0) throw new DeploymentConfigError(problems);
  return out;
}

const PEM_CERTIFICATE =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Every `caBundle` that cannot be shipped: unreadable at synth, or not a PEM certificate. */
export function caBundleProblems(config: HarborDrConfig): string[] {
  const registries: [string, string | undefined][] = [
    ['primary.caBundle', config.primary.caBundle],
    ...config.targets.map((t, i): [string, string | undefined] => [
      `targets[${String(i)}].caBundle`,
      t.caBundle,
    ]),
  ];
  return registries.flatMap(([field, value]) => {
    if (value === undefined) return [];
    const pem = readCaBundle(value, field);
    return typeof pem === 'string' ? [] : [pem.problem];
  });
}

/** The PEM text of a `caBundle` (given inline, or a file read now), or why not. */
function readCaBundle(
  value: string,
  field: string
): string | { problem: string } {
  let pem = value;
  if (!value.includes('-----BEGIN ')) {
    const path = resolve(value);
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return {
        problem: `${field}: cannot read ${path} at synth (${typeof code === 'string' ? code : 'unreadable'}); the bundle is shipped with the functions, so it must exist on the machine that runs cdk`,
      };
    }
  }
  if (!PEM_CERTIFICATE.test(pem)) {
    return {
      problem: `${field}: is not a PEM certificate bundle (no BEGIN/END CERTIFICATE block)`,
    };
  }
  return pem;
}

/**
 * The config file the CDK app deploys: the `config` context (`-c config=FILE`), else
 * HARBOR_DR_CONFIG. Never a default: a bare `cdk deploy` must not deploy the example.
 * @throws DeploymentConfigError naming `-c config=FILE`
 */
export function configPathFor(
  context: unknown,
  env: Readonly<Record<string, string | undefined>>
): string {
  if (typeof context === 'string' && context.trim() !== '') return context;
  const fromEnv = env[CONFIG_PATH_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  throw new DeploymentConfigError([
    `no configuration given: run \`cdk deploy -c config=FILE\` (or \`cdk synth -c config=FILE\`, or set ${CONFIG_PATH_ENV}=FILE); see examples/harbor-dr.yaml for the format`,
  ]);
}

/** Hosts reserved for documentation (RFC 2606, RFC 6761): never a real registry. */
const EXAMPLE_HOST =
  /(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test)$/i;

/**
 * The registries of a config that point at an example host (the examples' harbor.example.com):
 * deploying them would audit nothing real, every night.
 */
export function exampleHostProblems(config: HarborDrConfig): string[] {
  const registries: [string, string][] = [
    ['primary.url', config.primary.url],
    ...config.targets.map((t, i): [string, string] => [
      `targets[${String(i)}].url`,
      t.url,
    ]),
  ];
  return registries
    .filter(([, url]) => EXAMPLE_HOST.test(new URL(url).hostname))
    .map(
      ([field]) =>
        `${field}: is an example host (example.com, .example, .test, .invalid); give your own registry's URL`
    );
}
