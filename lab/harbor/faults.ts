import { z } from 'zod';
import { patternMatch } from './replication/pattern';

const common = {
  method: z.string().optional(),
  /** Regular expression matched against the request path (with query). */
  path: z.string(),
  /** How many matching requests the fault applies to (default 1; -1 = until cleared). */
  count: z.int().default(1),
};

/** A fault injected into HTTP handling or replication (POST /lab/faults, scenario `faults`). */
export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    ...common,
    status: z.int().min(400).max(599),
    retryAfter: z.int().optional(),
    message: z.string().optional(),
  }),
  z.object({
    kind: z.literal('timeout'),
    ...common,
    ms: z.int().default(30_000),
  }),
  z.object({ kind: z.literal('truncate'), ...common }),
  z.object({
    kind: z.literal('shift-tag'),
    /** Full repository name whose artifact list triggers the shift. */
    repository: z.string(),
    tag: z.string(),
    /** Tag or digest the tag moves to. */
    to: z.string(),
    count: z.int().default(1),
  }),
  z.object({
    kind: z.literal('replication-fail'),
    repository: z.string().default('**'),
    message: z.string().default('failed to copy: injected fault'),
    count: z.int().default(-1),
  }),
  z.object({
    kind: z.literal('replication-stop'),
    repository: z.string().default('**'),
    count: z.int().default(-1),
  }),
  z.object({
    kind: z.literal('replication-delay'),
    ms: z.int().min(0),
    count: z.int().default(-1),
  }),
  z.object({
    kind: z.literal('replication-stuck'),
    policy: z.string().optional(),
    count: z.int().default(1),
  }),
]);

export type Fault = z.output<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;
type WithId<T> = T & { id: number };
export type ActiveFault = WithId<Fault>;

/** The active faults of one emulated Harbor. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private seq = 0;

  /** Adds validated faults; returns their ids. */
  add(input: unknown): number[] {
    const list = Array.isArray(input) ? input : [input];
    return list.map((raw) => {
      const f = faultSchema.parse(raw);
      const id = ++this.seq;
      this.faults.push({ ...f, id });
      return id;
    });
  }

  /** Removes all faults (or one by id). */
  clear(id?: number): void {
    this.faults =
      id === undefined ? [] : this.faults.filter((f) => f.id !== id);
  }

  /** The active faults. */
  list(): ActiveFault[] {
    return [...this.faults];
  }

  private consume<T extends ActiveFault>(f: T): T {
    if (f.count > 0) {
      f.count -= 1;
      if (f.count === 0) this.faults = this.faults.filter((x) => x.id !== f.id);
    }
    return f;
  }

  /** The HTTP fault for this request, consumed (status, timeout or truncate). */
  takeHttp(
    method: string,
    pathAndQuery: string
  ):
    | Extract<ActiveFault, { kind: 'status' | 'timeout' | 'truncate' }>
    | undefined {
    for (const f of this.faults) {
      if (f.kind !== 'status' && f.kind !== 'timeout' && f.kind !== 'truncate')
        continue;
      if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
      if (!new RegExp(f.path).test(pathAndQuery)) continue;
      return this.consume(f);
    }
    return undefined;
  }

  /** A shift-tag fault armed for this repository, consumed. */
  takeShift(
    repository: string
  ): Extract<ActiveFault, { kind: 'shift-tag' }> | undefined {
    const f = this.faults.find(
      (x): x is Extract<ActiveFault, { kind: 'shift-tag' }> =>
        x.kind === 'shift-tag' && x.repository === repository
    );
    return f && this.consume(f);
  }

  /** What should happen to a replication task of this source repository. */
  takeTask(repository: string): {
    fail?: string;
    stop?: boolean;
    delayMs: number;
  } {
    let delayMs = 0;
    for (const f of [...this.faults]) {
      if (f.kind === 'replication-delay') {
        delayMs += f.ms;
        this.consume(f);
      }
    }
    for (const f of [...this.faults]) {
      if (
        f.kind === 'replication-fail' &&
        patternMatch('v1.3.4', f.repository, repository)
      ) {
        this.consume(f);
        return { fail: f.message, delayMs };
      }
      if (
        f.kind === 'replication-stop' &&
        patternMatch('v1.3.4', f.repository, repository)
      ) {
        this.consume(f);
        return { stop: true, delayMs };
      }
    }
    return { delayMs };
  }

  /** True when the next execution of this policy should hang InProgress (consumed). */
  takeStuck(policyName: string): boolean {
    const f = this.faults.find(
      (x) =>
        x.kind === 'replication-stuck' &&
        (x.policy === undefined || x.policy === policyName)
    );
    if (!f) return false;
    this.consume(f);
    return true;
  }
}
