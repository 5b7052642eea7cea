import type { z } from 'zod';
import { UpstreamSchemaError } from '../../core/errors';
import { formatPath } from '../../shared/config';
import type { HttpResponse } from './pool';

const MAX_PROBLEMS = 5;

/** One line per zod issue, naming the field path; upstream values are never echoed. */
function describeSchemaIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines = issues
    .slice(0, MAX_PROBLEMS)
    .map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (issues.length > MAX_PROBLEMS) {
    lines.push(`(${(issues.length - MAX_PROBLEMS).toString()} more)`);
  }
  return lines;
}

/**
 * Parses a response body as JSON and validates it.
 * @throws UpstreamSchemaError when the body is not JSON (e.g. truncated) or does not match
 */
export function parseJsonBody<S extends z.ZodType>(
  res: HttpResponse,
  schema: S,
  service: string,
  method = 'GET'
): z.output<S> {
  const info = { service, method, path: res.path };
  let raw: unknown;
  try {
    raw = JSON.parse(res.body.toString('utf8'));
  } catch (err) {
    throw new UpstreamSchemaError({
      ...info,
      problems: [
        `(root): body is not valid JSON (${res.body.length.toString()} bytes; truncated?)`,
      ],
      cause: err,
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UpstreamSchemaError({
      ...info,
      problems: describeSchemaIssues(parsed.error.issues),
    });
  }
  return parsed.data;
}
