/**
 * The failover readiness use case: runs the inventory audit, then checks each target for
 * what a failover needs, and assembles a `kind: readiness` report (same schema as the audit).
 */
import { runAudit } from './audit';
import type { AuditDeps, AuditInput, AuditTarget } from './audit';
import { collectMetadata } from './collect-metadata';
import { diffMetadata } from '../core/metadata/diff';
import type { DriftResult } from '../core/metadata/diff';
import type { MetadataSnapshot } from '../core/metadata/snapshot';
import type { HarborSystemInfo } from '../core/readiness/probes';
import { AuthError, errorMessage } from '../core/errors';
import type { Clock, HarborReadApi, RegistryApi } from '../core/ports';
import {
  leadingIndicators,
  replicationSignals,
} from '../core/readiness/signals';
import { CHECK_IDS, DEFAULT_THRESHOLDS } from '../core/readiness/checklist';
import type {
  CheckItem,
  Observed,
  ReadinessThresholds,
} from '../core/readiness/checklist';
import {
  checkAuditAge,
  checkCoverage,
  checkDrift,
  checkExposure,
  checkReplication,
} from '../core/readiness/checks';
import {
  checkHarborHealth,
  checkReachable,
  checkStorage,
  checkTls,
  checkVersionSkew,
} from '../core/readiness/endpoint-checks';
import type {
  CertificateInfo,
  ReachResult,
} from '../core/readiness/endpoint-checks';
import type { Report, TargetReport, Verdict } from '../core/report/schema';
import { lastCompleteAudit, rpoTrend } from '../core/inventory/trend';
import { boundOf } from '../core/inventory/rpo';
import { readinessVerdict, worstVerdict } from '../core/readiness/verdict';

/** A target as readiness reaches it: the audit's view plus what the checks need. */
export interface ReadinessTarget extends AuditTarget {
  verifyTls: boolean;
  /** Harbor targets: the metadata side of the API and the readiness probes. */
  metadata?: HarborReadApi;
  /** Plain registries: the distribution API (reachability, credentials). */
  registry?: RegistryApi;
  /** https targets: the certificate the endpoint presents. */
  probeTls?: () => Promise<CertificateInfo>;
}

/** The ports of a readiness run: the audit's, plus metadata and probes. */
export interface ReadinessDeps extends AuditDeps {
  targets: readonly ReadinessTarget[];
  primaryMetadata: HarborReadApi;
}

/** What one readiness run is asked to do. */
export interface ReadinessInput extends AuditInput {
  /** Earlier reports of any kind, newest first (trend, first-seen delays, last audit). */
  history: readonly Report[];
  /** Set when the report store could not be read: history-based items become unknown. */
  historyError?: string;
  thresholds?: Partial<ReadinessThresholds>;
}

/** Clock differences below this are noise, not skew. */
const SKEW_TOLERANCE_MS = 2_000;

/**
 * One readiness run.
 *
 * Primary course:
 * 1. read the primary's clock: push times are stamped by it, so exposure is measured on it;
 * 2. run the inventory audit (coverage, digests, exposure, delays, replication health);
 * 3. read the primary's metadata once (when a Harbor target needs it);
 * 4. per target: reachability and credentials, Harbor health and version, TLS, storage,
 *    metadata drift, and the audit's findings, into a checklist and a verdict;
 * 5. assemble the report (kind `readiness`) with the RPO trend across earlier runs.
 */
export async function runReadiness(
  deps: ReadinessDeps,
  input: ReadinessInput
): Promise<Report> {
  const startedAt = deps.clock.now();
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const primaryInfo = await observe(() => deps.primaryMetadata.systemInfo());
  const clock = primaryClock(deps.clock, primaryInfo);
  // The deadline is ours: on the primary's clock it moves by the same offset.
  const audit = await runAudit(
    { ...deps, clock: clock.clock },
    {
      ...input,
      deadline: new Date(input.deadline.getTime() + clock.offsetMs),
      history: input.history,
      primaryRelease: primaryInfo.ok
        ? { harborVersion: primaryInfo.value.version }
        : { error: primaryInfo.error },
    }
  );

  const needsMetadata = deps.targets.some((t) => t.traits.harborApi);
  const primaryMetadata = needsMetadata
    ? await observe(() =>
        collectMetadata(deps.primaryMetadata, {
          concurrency: input.concurrency,
        })
      )
    : undefined;

  const targets: TargetReport[] = [];
  for (const target of deps.targets) {
    const audited = audit.targets.find((t) => t.name === target.name);
    if (!audited) continue;
    targets.push(
      await assessTarget({
        target,
        audited,
        now: clock.clock.now(),
        input,
        thresholds,
        primaryInfo,
        primaryMetadata,
        skewNote: clock.note,
      })
    );
  }
  return {
    ...audit,
    kind: 'readiness',
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    verdict: worstVerdict(targets.map((t) => t.verdict)),
    targets,
  };
}

interface TargetContext {
  target: ReadinessTarget;
  audited: TargetReport;
  now: Date;
  input: ReadinessInput;
  thresholds: ReadinessThresholds;
  primaryInfo: Observed<HarborSystemInfo>;
  primaryMetadata: Observed<MetadataSnapshot> | undefined;
  skewNote: string | undefined;
}

async function assessTarget(ctx: TargetContext): Promise<TargetReport> {
  const { target, audited, now, input, thresholds } = ctx;
  const items: CheckItem[] = [];
  const reach = await reachTarget(target);
  items.push(checkReachable(reach));
  const unreachable = (): Observed<never> => ({
    ok: false,
    error: 'not checked: the target is not reachable with its credentials',
  });

  let drift: Observed<DriftResult> | undefined;
  if (target.traits.harborApi) {
    const api = target.metadata;
    const harborRead = async <T>(
      read: (m: HarborReadApi) => Promise<T>
    ): Promise<Observed<T>> =>
      !reach.ok || !api ? unreachable() : observe(() => read(api));
    const health = await harborRead((m) => m.health());
    const info = await harborRead((m) => m.systemInfo());
    items.push(checkHarborHealth(health));
    items.push(
      checkVersionSkew(
        mapObserved(ctx.primaryInfo, (i) => i.version),
        mapObserved(info, (i) => i.version)
      )
    );
    drift = await harborRead(async (m) => {
      if (!ctx.primaryMetadata) throw new Error('primary metadata not read');
      if (!ctx.primaryMetadata.ok) {
        throw new Error(`primary metadata: ${ctx.primaryMetadata.error}`);
      }
      const snapshot = await collectMetadata(m, {
        concurrency: input.concurrency,
      });
      return diffMetadata(ctx.primaryMetadata.value, snapshot, {
        now,
        targetUrl: target.url,
      });
    });
    items.push(checkDrift(drift));
    items.push(
      checkStorage(
        await harborRead((m) => m.storage()),
        thresholds,
        reach.ok ? reach.sysadmin : undefined
      )
    );
  }
  if (/^https:/i.test(target.url)) {
    const probe = target.probeTls;
    const cert: Observed<CertificateInfo> = probe
      ? await observe(probe)
      : { ok: false, error: 'no certificate probe configured' };
    items.push(checkTls(cert, now, target.verifyTls, thresholds));
  }
  items.push(checkCoverage(audited));
  const indicators = leadingIndicators(audited, now);
  items.push(checkExposure(audited, indicators, now));
  items.push(checkReplication(replicationSignals(audited)));
  const history: Observed<readonly Report[]> =
    input.historyError === undefined
      ? { ok: true, value: input.history }
      : { ok: false, error: input.historyError };
  items.push(
    checkAuditAge(
      mapObserved(history, (h) => lastCompleteAudit(h, target.name)),
      now,
      thresholds
    )
  );
  if (ctx.skewNote) {
    const exposure = items.find((i) => i.id === 'rpo-exposure');
    if (exposure) exposure.evidence += `; ${ctx.skewNote}`;
  }

  items.sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  const verdict: Verdict = readinessVerdict(items);
  const rpo = {
    ...audited.rpo,
    indicators,
    trend: rpoTrend(input.history, target.name, {
      runId: input.runId,
      kind: 'readiness',
      at: now.toISOString(),
      verdict,
      estimateSeconds: audited.rpo.estimateSeconds,
      ...boundOf(audited.rpo),
      p95DelaySeconds: audited.rpo.p95DelaySeconds,
    }),
  };
  return {
    ...audited,
    verdict,
    rpo,
    checklist: items.map((i) => ({ ...i })),
    drift: drift?.ok ? drift.value.drift : [],
    metadataDrift: metadataDriftStatus(target, drift),
  };
}

function metadataDriftStatus(
  target: ReadinessTarget,
  drift: Observed<DriftResult> | undefined
): NonNullable<TargetReport['metadataDrift']> {
  if (!target.traits.harborApi || drift === undefined) {
    return {
      status: 'not-applicable',
      note: 'plain registry: it holds no users, projects, members or robots, so metadata drift is not applicable',
      unseen: [],
    };
  }
  if (!drift.ok) {
    return { status: 'unknown', note: drift.error, unseen: [] };
  }
  const { unseen, compared, notApplicable = [] } = drift.value;
  // A category an instance does not have (audit logs before 2.13) is shown, never unseen.
  const absent = [...new Set(notApplicable.map((n) => n.category))];
  const naNote =
    absent.length > 0 ? `; not applicable: ${absent.join(', ')}` : '';
  const naField = absent.length > 0 ? { notApplicable } : {};
  return unseen.length === 0
    ? {
        status: 'compared',
        note: `compared by name: ${compared.join(', ')}${naNote}`,
        unseen: [],
        ...naField,
      }
    : {
        status: 'partial',
        note: `${String(new Set(unseen.map((u) => u.category)).size)} categories could not be compared completely${naNote}`,
        unseen,
        ...naField,
      };
}

async function reachTarget(target: ReadinessTarget): Promise<ReachResult> {
  if (target.unavailable !== undefined) {
    return { ok: false, reason: target.unavailable, untried: true };
  }
  try {
    if (target.harbor) {
      const who = await target.harbor.whoAmI();
      if (who.kind === 'anonymous') {
        return {
          ok: false,
          rejected: true,
          reason:
            'Harbor treats the credentials as anonymous (GET /users/current: 401)',
        };
      }
      return who.kind === 'robot'
        ? { ok: true, as: 'a robot account', sysadmin: false }
        : {
            ok: true,
            as: `user ${who.username}${who.sysadmin ? ' (sysadmin)' : ''}`,
            sysadmin: who.sysadmin,
          };
    }
    if (target.registry) {
      await target.registry.ping();
      return { ok: true, as: 'the configured credentials (GET /v2/)' };
    }
    return { ok: false, rejected: false, reason: 'no client for this target' };
  } catch (err) {
    return {
      ok: false,
      rejected: err instanceof AuthError,
      reason: errorMessage(err),
    };
  }
}

/**
 * A clock on the primary's time: push times are stamped by the primary, so exposure and
 * delays are measured on its clock when it differs from ours.
 */
function primaryClock(
  local: Clock,
  info: Observed<HarborSystemInfo>
): { clock: Clock; offsetMs: number; note?: string } {
  const remote =
    info.ok && info.value.currentTime
      ? Date.parse(info.value.currentTime)
      : NaN;
  if (Number.isNaN(remote)) return { clock: local, offsetMs: 0 };
  const offset = remote - local.now().getTime();
  if (Math.abs(offset) < SKEW_TOLERANCE_MS)
    return { clock: local, offsetMs: 0 };
  return {
    clock: { now: () => new Date(local.now().getTime() + offset) },
    offsetMs: offset,
    note: `measured on the primary's clock (${offset > 0 ? 'ahead' : 'behind'} of the auditor by ${String(Math.round(Math.abs(offset) / 1000))}s)`,
  };
}

async function observe<T>(read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

function mapObserved<T, U>(o: Observed<T>, f: (v: T) => U): Observed<U> {
  return o.ok ? { ok: true, value: f(o.value) } : o;
}
