import { z } from 'zod';

/** An answer of the lab Harbor's REST API. */
export interface AdminResponse {
  status: number;
  body: unknown;
  location: string | undefined;
}

const errorsSchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});

/** A minimal REST client for seeding a lab Harbor as its admin (the lab's own, not the product's). */
export class AdminClient {
  private readonly auth: string;

  constructor(
    private readonly base: string,
    creds: { username: string; password: string }
  ) {
    this.auth = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  }

  /** Calls `/api/v2.0<path>`; throws with Harbor's error message unless the status is expected. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    expect: number[] = [200, 201]
  ): Promise<AdminResponse> {
    const res = await fetch(`${this.base}/api/v2.0${path}`, {
      method,
      headers: {
        Authorization: this.auth,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const parsed: unknown =
      text !== '' && (res.headers.get('content-type') ?? '').includes('json')
        ? JSON.parse(text)
        : undefined;
    if (!expect.includes(res.status)) {
      const err = errorsSchema.safeParse(parsed);
      const msg = err.success
        ? err.data.errors.map((e) => `${e.code}: ${e.message}`).join('; ')
        : text;
      throw new Error(`${method} ${path} → HTTP ${res.status}: ${msg}`);
    }
    return {
      status: res.status,
      body: parsed,
      location: res.headers.get('location') ?? undefined,
    };
  }

  /** The id at the end of a 201 Location header. */
  static idOf(r: AdminResponse): number {
    const id = Number(r.location?.split('/').pop());
    if (!Number.isInteger(id))
      throw new Error(`no id in Location ${r.location ?? '(none)'}`);
    return id;
  }
}
