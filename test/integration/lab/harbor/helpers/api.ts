import {
  errorsSchema,
  findTemplate,
  responseSchema,
  validate,
} from './swagger';

/** One API answer, already checked against the swagger. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Basic credentials for a call. */
export interface Creds {
  username: string;
  password: string;
}

/**
 * Calls the lab Harbor's REST API and validates the response against the swagger: a documented
 * 2xx body against its schema, an error against Errors. Throws when the response breaks the schema
 * or lacks X-Request-Id.
 */
export async function api(
  base: string,
  method: string,
  path: string,
  opts: { auth?: Creds; body?: unknown; headers?: Record<string, string> } = {}
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.auth)
    headers.Authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}/api/v2.0${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  if (!res.headers.get('x-request-id'))
    throw new Error(`${method} ${path}: no X-Request-Id`);
  const ct = res.headers.get('content-type') ?? '';
  const body: unknown =
    ct.includes('application/json') && text !== ''
      ? JSON.parse(text)
      : undefined;
  const barePath = path.split('?')[0] ?? path;
  if (findTemplate(barePath) === undefined)
    throw new Error(`${method} ${barePath} is not a documented endpoint`);
  if (res.status >= 400) {
    const errs = validate(errorsSchema, body);
    if (body === undefined || errs.length > 0)
      throw new Error(
        `${method} ${path} → ${res.status}: bad error body ${text} ${errs.join('; ')}`
      );
  } else if (method !== 'HEAD') {
    const schema = responseSchema(method, barePath, res.status);
    if (schema === null)
      throw new Error(
        `${method} ${path} → ${res.status} is not a documented response`
      );
    if (schema !== undefined) {
      const value =
        schema.type === 'string' && body === undefined ? text : body;
      const errs = validate(schema, value);
      if (errs.length > 0)
        throw new Error(
          `${method} ${path} → ${res.status} breaks the swagger:\n${errs.slice(0, 20).join('\n')}`
        );
    }
  }
  return { status: res.status, headers: res.headers, body, text };
}
