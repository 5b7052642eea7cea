import { readFileSync } from 'node:fs';
import {
  EXPECTED_SHAPE,
  readCredentialsDocument,
} from '../adapters/secrets/credentials';
import { ConfigError } from '../core/errors';
import { isInlinePem } from '../shared/ca-bundle';
import {
  configSchema,
  credentialsRef,
  describeIssues,
  targetSuggestion,
  type HarborDrConfig,
} from '../shared/config';
import {
  configRelativePath,
  loadConfigFile,
  parseConfigDocument,
  readConfigFile,
  withPathsBeside,
} from '../shared/config-file';
import { CONFIG_PATH_ENV } from '../shared/env-keys';

/** What the process's environment looks like to the checks (injected in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The outcome of checking a configuration file offline. */
export interface ConfigCheck {
  /** The configuration, when the schema accepts it (even with other problems). */
  config?: HarborDrConfig;
  /** Every problem found, one line each naming its field. */
  problems: string[];
}

/**
 * The configuration file of a command: `--config`, else `HARBOR_DR_CONFIG`.
 * @throws ConfigError when neither is given
 */
export function configPathOf(config: string | undefined, env: Env): string {
  if (config !== undefined && config !== '') return config;
  const fromEnv = env[CONFIG_PATH_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new ConfigError('command line', [
    `--config: is required (or set ${CONFIG_PATH_ENV} to the file)`,
  ]);
}

/**
 * Loads the configuration and checks that every `--target` name is configured.
 * @throws ConfigError naming each unknown target, with the closest configured name
 */
export function loadForTargets(
  path: string,
  targets: readonly string[] | undefined
): HarborDrConfig {
  const config = loadConfigFile(path);
  const problems = unknownTargets(
    targets,
    config.targets.map((t) => t.name)
  );
  if (problems.length > 0) throw new ConfigError(path, problems);
  return config;
}

function unknownTargets(
  wanted: readonly string[] | undefined,
  configured: readonly string[]
): string[] {
  return (wanted ?? [])
    .filter((n) => !configured.includes(n))
    .map(
      (n) =>
        `--target "${n}": is not a configured target${targetSuggestion(n, configured)}`
    );
}

/**
 * Checks a configuration file with everything that needs no network: the schema (every
 * problem, with "did you mean" for fields and values), the `--target` names, and each
 * credentials reference and CA bundle that can be read locally (environment variables set,
 * files readable, credential files shaped `{"username", "password"}`). The checks beyond the
 * schema run even when the schema fails, so that one run reports every problem.
 * Secret values are never printed. Secrets Manager ids need the network: not checked here.
 * @throws ConfigError when the file cannot be read or is not YAML/JSON at all
 */
export function checkConfigOffline(
  path: string,
  options: { env: Env; targets?: readonly string[] }
): ConfigCheck {
  const raw = parseConfigDocument(readConfigFile(path), path);
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  const problems = parsed.success
    ? []
    : describeIssues(parsed.error.issues, configSchema);
  const doc = asRecord(raw);
  const rawTargets = Array.isArray(doc?.targets) ? doc.targets : [];
  const names = rawTargets.flatMap((t) => {
    const name = asRecord(t)?.name;
    return typeof name === 'string' ? [name] : [];
  });
  problems.push(...unknownTargets(options.targets, names));
  const registries: [string, unknown][] = [
    ['primary', doc?.primary],
    ...rawTargets.map((t, i): [string, unknown] => [`targets[${i}]`, t]),
  ];
  for (const [field, value] of registries) {
    problems.push(...checkRegistry(field, asRecord(value), path, options.env));
  }
  if (!parsed.success) return { problems };
  // Relative paths resolved beside the file, as the loader does (the file is read once).
  // Returned beside the other problems too: the online checks still probe what the config
  // points at.
  return { config: withPathsBeside(parsed.data, path), problems };
}

function checkRegistry(
  field: string,
  registry: Record<string, unknown> | undefined,
  configPath: string,
  env: Env
): string[] {
  if (!registry) return [];
  const problems: string[] = [];
  for (const key of ['credentials', 'operatorCredentials']) {
    const ref = credentialsRef.safeParse(registry[key]);
    if (!ref.success) continue; // the schema reports it
    const at = `${field}.${key}`;
    const { env: vars, file } = ref.data;
    if (vars) {
      for (const part of ['username', 'password'] as const) {
        if ((env[vars[part]] ?? '') === '') {
          problems.push(
            `${at}.env.${part}: environment variable ${vars[part]} is not set`
          );
        }
      }
    }
    if (file !== undefined) {
      const problem = credentialsFileProblem(
        configRelativePath(configPath, file)
      );
      if (problem) problems.push(`${at}.file: ${problem}`);
    }
  }
  const ca = registry.caBundle;
  // An inline PEM (the text itself) has no file to read.
  if (typeof ca === 'string' && ca !== '' && !isInlinePem(ca)) {
    const full = configRelativePath(configPath, ca);
    try {
      readFileSync(full);
    } catch (err) {
      problems.push(`${field}.caBundle: ${full} ${unreadable(err)}`);
    }
  }
  return problems;
}

/** Why a credentials file cannot serve, by shape only: its text is never quoted. */
function credentialsFileProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `${path} ${unreadable(err)}`;
  }
  const doc = readCredentialsDocument(text);
  if (doc.ok) return undefined;
  return `${path} ${EXPECTED_SHAPE}${doc.notJson ? ' (not valid JSON)' : ''}`;
}

function unreadable(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'does not exist';
  return `cannot be read (${typeof code === 'string' ? code : 'error'})`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A problem line as data: `targets[1].url: must be…` → field and message. */
export function problemAsJson(line: string): {
  field: string;
  message: string;
} {
  const at = line.indexOf(': ');
  return at < 0
    ? { field: '(root)', message: line }
    : { field: line.slice(0, at), message: line.slice(at + 2) };
}
