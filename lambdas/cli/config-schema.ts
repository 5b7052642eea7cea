import { z } from 'zod';
import { configSchema } from '../shared/config';

/**
 * The JSON Schema of the configuration file, generated from the zod schema so that the two
 * cannot disagree; committed as schema/harbor-dr.schema.json (a test keeps it current) for
 * editors (`# yaml-language-server: $schema=…`). It describes the file as written (defaults
 * optional); the cross-field rules (unique names and URLs, exactly one credentials source)
 * only `harbor-dr validate-config` checks.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  });
  return {
    ...schema,
    title: 'harbor-dr-auditor configuration',
    description:
      'The configuration of harbor-dr (the CLI) and of the deployed auditor. Check a file with `harbor-dr validate-config --config FILE`.',
  };
}
