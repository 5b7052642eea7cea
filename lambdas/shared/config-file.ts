import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, errorMessage } from '../core/errors';
import { parseConfig, type HarborDrConfig } from './config';
import { isInlinePem } from './ca-bundle';

/**
 * Parses configuration text (YAML 1.2, so JSON too) and validates it.
 * @throws ConfigError naming the line of a syntax error or the field of each invalid value
 */
export function parseConfigText(text: string, source: string): HarborDrConfig {
  return parseConfig(parseConfigDocument(text, source), source);
}

/**
 * Parses configuration text (YAML 1.2, so JSON too) into plain data, not yet validated.
 * @throws ConfigError naming the line of a syntax error
 */
export function parseConfigDocument(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : '(syntax)';
        return `${where}: ${e.message.split('\n')[0] ?? e.code}`;
      })
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // An alias bomb (`a: &a [x, x]`, `b: &b [*a, *a]`, ...) is a config error, not a crash.
    throw new ConfigError(source, [
      /alias/i.test(errorMessage(err))
        ? `(root): expands YAML aliases more than ${String(MAX_ALIAS_COUNT)} times (an alias bomb?); write the values out`
        : `(root): cannot be read as data (${err instanceof Error ? err.name : 'error'})`,
    ]);
  }
  return raw;
}

/** YAML alias expansions a config may use; more is refused as a resource exhaustion. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads and validates a configuration file.
 * @throws ConfigError when the file cannot be read or is invalid
 */
export function loadConfigFile(path: string): HarborDrConfig {
  return withPathsBeside(parseConfigText(readConfigFile(path), path), path);
}

/**
 * A validated configuration read from `path`, its file references (credential files, CA
 * bundles) made relative to that file's directory, as loadConfigFile returns it.
 */
export function withPathsBeside(
  config: HarborDrConfig,
  path: string
): HarborDrConfig {
  return resolveRelativePaths(config, dirname(path));
}

/**
 * Reads a configuration file's text.
 * @throws ConfigError when the file cannot be read
 */
export function readConfigFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      path,
      [`cannot read the file: ${errorMessage(err)}`],
      err
    );
  }
  return text;
}

/** A file reference (credentials file, CA bundle) as the loader reads it: beside the config. */
export function configRelativePath(configPath: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(configPath), p);
}

/**
 * Makes file references (credential files, CA bundles) relative to the config file's own
 * directory, as people expect when they write `./secrets/primary.json` beside it.
 */
function resolveRelativePaths(
  config: HarborDrConfig,
  baseDir: string
): HarborDrConfig {
  const fix = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const registry = <
    T extends { credentials?: { file?: string }; caBundle?: string },
  >(
    r: T
  ): T => ({
    ...r,
    ...(r.credentials?.file
      ? { credentials: { ...r.credentials, file: fix(r.credentials.file) } }
      : {}),
    ...(r.caBundle && !isInlinePem(r.caBundle)
      ? { caBundle: fix(r.caBundle) }
      : {}),
  });
  const primary = registry(config.primary);
  const operator = primary.operatorCredentials;
  return {
    ...config,
    // The operator's credential file too: validate-config resolves it beside the config, and
    // the run must read the same file.
    primary: operator?.file
      ? {
          ...primary,
          operatorCredentials: { ...operator, file: fix(operator.file) },
        }
      : primary,
    targets: config.targets.map(registry),
  };
}
