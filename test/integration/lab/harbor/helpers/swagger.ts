import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A swagger 2.0 schema object (the subset Harbor's file uses). */
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  'x-nullable'?: boolean;
}

interface Operation {
  responses?: Record<string, { schema?: Schema; $ref?: string }>;
}

interface SwaggerDoc {
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
  responses?: Record<string, { schema?: Schema }>;
}

const SWAGGER_PATH = join(
  __dirname,
  '../../../../fixtures/harbor/harbor-v2.0-swagger.yaml'
);

/** Harbor's swagger, loaded once with the `yaml` package. */
export const swagger: SwaggerDoc = parse(
  readFileSync(SWAGGER_PATH, 'utf8')
) as SwaggerDoc;

const templates = Object.keys(swagger.paths)
  .map((p) => ({
    template: p,
    params: (p.match(/\{/g) ?? []).length,
    re: new RegExp(
      `^${p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`
    ),
  }))
  .sort((a, b) => a.params - b.params);

/** The swagger path template that a concrete API path (without /api/v2.0) matches. */
export function findTemplate(path: string): string | undefined {
  return templates.find((t) => t.re.test(path))?.template;
}

/** The documented response schema, or undefined when the response has no body schema. */
export function responseSchema(
  method: string,
  path: string,
  status: number
): Schema | undefined | null {
  const template = findTemplate(path);
  if (template === undefined) return null;
  const op = swagger.paths[template]?.[method.toLowerCase()];
  if (!op) return null;
  let resp = op.responses?.[String(status)];
  if (resp?.$ref !== undefined)
    resp = swagger.responses?.[resp.$ref.split('/').pop() ?? ''];
  if (!resp) return null;
  return resp.schema;
}

function resolve(s: Schema): Schema {
  let cur = s;
  while (cur.$ref !== undefined) {
    const name = cur.$ref.replace('#/definitions/', '');
    const def = swagger.definitions[name];
    if (!def) throw new Error(`unknown definition ${cur.$ref}`);
    cur = def;
  }
  return cur;
}

/**
 * Validates a value against a swagger schema; returns error strings (empty = valid). Unknown
 * properties are errors (the lab must not invent fields). `null` is accepted for arrays, objects
 * and x-nullable properties, as go-swagger serialises nil slices, maps and pointers.
 */
export function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const nullable = schema['x-nullable'] === true;
  const s = resolve(schema);
  if (value === null) {
    if (
      nullable ||
      s['x-nullable'] === true ||
      s.type === 'array' ||
      s.type === 'object' ||
      s.type === undefined ||
      schema.$ref !== undefined
    )
      return [];
    return [`${at}: null is not allowed for ${s.type}`];
  }
  const errors: string[] = [];
  if (s.allOf)
    for (const sub of s.allOf) errors.push(...validate(sub, value, at));
  if (s.enum && !s.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string')
        return [...errors, `${at}: expected string, got ${typeof value}`];
      if (s.format === 'date-time' && Number.isNaN(Date.parse(value)))
        errors.push(`${at}: bad date-time ${value}`);
      return errors;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
        ? errors
        : [...errors, `${at}: expected integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number'
        ? errors
        : [...errors, `${at}: expected number`];
    case 'boolean':
      return typeof value === 'boolean'
        ? errors
        : [...errors, `${at}: expected boolean, got ${JSON.stringify(value)}`];
    case 'array':
      if (!Array.isArray(value)) return [...errors, `${at}: expected array`];
      if (s.items)
        value.forEach((v, i) =>
          errors.push(...validate(s.items!, v, `${at}[${i}]`))
        );
      return errors;
    case 'object':
    case undefined: {
      if (s.type === undefined && !s.properties && !s.additionalProperties)
        return errors;
      if (typeof value !== 'object' || Array.isArray(value))
        return [...errors, `${at}: expected object`];
      const obj = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) {
        const prop = s.properties?.[k];
        if (prop) errors.push(...validate(prop, v, `${at}.${k}`));
        else if (typeof s.additionalProperties === 'object') {
          // go-swagger turns `additionalProperties: {type: object}` (no properties) into
          // map[string]interface{}: any JSON value (e.g. retention params {"latestPushedK": 5}).
          const ap = s.additionalProperties;
          if (
            ap.type === 'object' &&
            !ap.properties &&
            !ap.additionalProperties
          )
            continue;
          errors.push(...validate(ap, v, `${at}.${k}`));
        } else if (s.properties && s.additionalProperties !== true)
          errors.push(`${at}: unknown property ${k}`);
      }
      return errors;
    }
    default:
      return errors;
  }
}

/** The Errors definition. */
export const errorsSchema: Schema = { $ref: '#/definitions/Errors' };
