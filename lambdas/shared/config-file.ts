import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, errorMessage } from '../core/errors';
import { parseConfig, type HarborDrConfig } from './config';

/**
 * Parses configuration text (YAML 1.2, so JSON too) and validates it.
 * @throws ConfigError naming the line of a syntax error or the field of each invalid value
 */
export function parseConfigText(text: string, source: string): HarborDrConfig {
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
  return parseConfig(doc.toJS() as unknown, source);
}

/**
 * Reads and validates a configuration file.
 * @throws ConfigError when the file cannot be read or is invalid
 */
export function loadConfigFile(path: string): HarborDrConfig {
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
  return parseConfigText(text, path);
}
