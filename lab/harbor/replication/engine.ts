import { copyToRemote, type LabOciClient } from '../../registry/oci-copy';
import type { OciStore } from '../../registry/store';
import type { LabClock } from '../clock';
import type { FaultRegistry } from '../faults';
import { HarborError, notFound } from '../http/harbor-error';
import type { ReplicationControl } from '../runtime';
import type { ArtifactEvent, HarborState } from '../state/harbor-state';
import type {
  ArtifactRec,
  ExecutionRec,
  PolicyRec,
  RegistryRec,
  RepoRec,
  TaskRec,
} from '../state/types';
import { firesBetween, parseCron } from './cron';
import {
  createDestProject,
  deleteDestTag,
  getDestProject,
  ociClientFor,
} from './destination';
import type { DoublestarVersion } from './doublestar';
import { filterArtifacts, repositoryMatches, type Candidate } from './filters';
import { FlattenError, pathTypeOf, replaceNamespace } from './flatten';
import { PatternError } from './pattern';
import { TaskLog } from './task-log';

/** One source repository and the artifacts a policy selects there. */
interface Resource {
  repo: RepoRec;
  dstRepo: string;
  candidates: Candidate[];
  operation: TaskRec['operation'];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Harbor's replication controller, flow and transfer for push-mode policies of one Harbor. */
export class ReplicationEngine implements ReplicationControl {
  private readonly running = new Set<Promise<void>>();
  private readonly stopRequested = new Set<number>();
  private readonly stuckRelease = new Map<number, () => void>();
  private eventQueue: ArtifactEvent[] = [];
  private eventTimer: NodeJS.Timeout | undefined;
  private lastCronCheck: Date;
  private readonly cronTimer: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly state: HarborState,
    private readonly store: OciStore,
    private readonly clock: LabClock,
    private readonly faults: FaultRegistry,
    /** Which doublestar the emulated Harbor release matches filters with. */
    private readonly doublestar: DoublestarVersion
  ) {
    this.lastCronCheck = clock.now();
    this.unsubscribe.push(
      state.onArtifactEvent((e) => {
        this.queueEvent(e);
      })
    );
    this.unsubscribe.push(
      clock.onAdvance(() => {
        this.checkSchedules();
      })
    );
    this.cronTimer = setInterval(() => {
      this.checkSchedules();
    }, 1000);
    this.cronTimer.unref();
  }

  /** Stops timers and releases stuck executions. */
  close(): void {
    clearInterval(this.cronTimer);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    for (const u of this.unsubscribe) u();
    for (const release of this.stuckRelease.values()) release();
  }

  /** Resolves once no flow is running and no event is queued (stuck executions excepted). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.eventQueue.length > 0) this.processEvents();
      if (this.running.size === 0) return;
      await Promise.allSettled([...this.running]);
    }
  }

  // ---- controller ----

  start(policyId: number, trigger: 'manual' | 'scheduled'): ExecutionRec {
    const policy = this.state.policies.get(policyId);
    if (!policy) throw notFound(`policy ${policyId} not found`);
    if (!policy.enabled)
      throw new HarborError(
        412,
        'PRECONDITION',
        `the policy ${policy.name} is disabled`
      );
    return this.launch(policy, trigger, undefined);
  }

  stop(executionId: number): void {
    const e = this.state.executions.get(executionId);
    if (!e) throw notFound(`execution ${executionId} not found`);
    if (e.status !== 'Running') return;
    this.stopRequested.add(executionId);
    for (const t of this.tasksOf(executionId)) {
      if (
        t.status === 'Pending' ||
        t.status === 'Scheduled' ||
        t.status === 'Running'
      ) {
        t.status = 'Stopped';
        t.endTime = this.clock.now();
      }
    }
    e.flowDone = true;
    this.stuckRelease.get(executionId)?.();
    if (this.tasksOf(executionId).length === 0) {
      e.status = 'Stopped';
      e.endTime = this.clock.now();
    } else this.refresh(e);
  }

  private tasksOf(executionId: number): TaskRec[] {
    return [...this.state.tasks.values()].filter(
      (t) => t.executionId === executionId
    );
  }

  private launch(
    policy: PolicyRec,
    trigger: ExecutionRec['trigger'],
    eventResources: (() => Resource[]) | undefined
  ): ExecutionRec {
    const now = this.clock.now();
    const e: ExecutionRec = {
      id: this.state.next('execution'),
      policyId: policy.id,
      status: 'Running',
      statusText: '',
      trigger,
      startTime: now,
      flowDone: false,
    };
    this.state.executions.set(e.id, e);
    if (
      policy.singleActiveReplication &&
      [...this.state.executions.values()].some(
        (x) =>
          x.policyId === policy.id && x.id !== e.id && x.status === 'Running'
      )
    ) {
      e.status = 'Error';
      e.statusText = 'Execution skipped: active replication still in progress.';
      e.flowDone = true;
      e.endTime = now;
      return e;
    }
    const stuck = this.faults.takeStuck(policy.name);
    const p = this.runFlow(e, policy, eventResources, stuck).catch(
      () => undefined
    );
    if (!stuck) {
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
    return e;
  }

  /** Rolls task statuses up into the execution status (Harbor's refreshStatus). */
  private refresh(e: ExecutionRec): void {
    if (!e.flowDone || (e.status !== 'Running' && e.endTime !== undefined))
      return;
    const tasks = this.tasksOf(e.id);
    if (
      tasks.some(
        (t) =>
          t.status === 'Pending' ||
          t.status === 'Scheduled' ||
          t.status === 'Running'
      )
    ) {
      e.status = 'Running';
      return;
    }
    e.status = tasks.some((t) => t.status === 'Error')
      ? 'Error'
      : tasks.some((t) => t.status === 'Stopped')
        ? 'Stopped'
        : 'Success';
    e.endTime = this.clock.now();
  }

  private fail(e: ExecutionRec, text: string): void {
    e.status = 'Error';
    e.statusText = text;
    e.flowDone = true;
    e.endTime = this.clock.now();
  }

  // ---- flow ----

  private destination(policy: PolicyRec): RegistryRec {
    const reg = this.state.registries.get(policy.destRegistryId);
    if (!reg)
      throw new Error(
        `destination registry ${policy.destRegistryId} not found`
      );
    return reg;
  }

  private async runFlow(
    e: ExecutionRec,
    policy: PolicyRec,
    eventResources: (() => Resource[]) | undefined,
    stuck: boolean
  ): Promise<void> {
    await Promise.resolve();
    if (policy.srcRegistryId !== 0) {
      this.fail(
        e,
        'pull-mode replication (remote source registry) is not emulated by the lab'
      );
      return;
    }
    let dest: RegistryRec;
    let resources: Resource[];
    try {
      dest = this.destination(policy);
      resources = eventResources ? eventResources() : this.enumerate(policy);
      for (const r of resources) {
        r.dstRepo = replaceNamespace(
          r.repo.name,
          policy.destNamespace,
          policy.destNamespaceReplaceCount,
          pathTypeOf(dest.type)
        );
      }
    } catch (err) {
      const msg = (err as Error).message;
      this.fail(
        e,
        err instanceof FlattenError ? msg : `failed to fetch artifacts: ${msg}`
      );
      return;
    }
    try {
      if (
        dest.type === 'harbor' &&
        resources.some((r) => r.operation === 'copy')
      ) {
        resources = await this.prepareHarbor(dest, resources);
      }
    } catch (err) {
      this.fail(
        e,
        `failed to do the prepare work for pushing/uploading resources: ${(err as Error).message}`
      );
      return;
    }
    if (resources.length === 0) {
      e.status = 'Success';
      e.statusText = 'no resources need to be replicated';
      e.flowDone = true;
      e.endTime = this.clock.now();
      return;
    }
    const tasks = resources.map((r) => {
      // getResourceName (flow/stage.go): every tag is an item, an untagged artifact one.
      const n = r.candidates.reduce(
        (k, c) => k + Math.max(1, c.tags.length),
        0
      );
      const t: TaskRec = {
        id: this.state.next('task'),
        executionId: e.id,
        status: 'Pending',
        jobId: Math.random().toString(16).slice(2, 26).padEnd(24, '0'),
        operation: r.operation,
        resourceType: 'artifact',
        srcResource: `${r.repo.name} [${n} item(s) in total]`,
        dstResource: `${r.dstRepo} [${n} item(s) in total]`,
        log: [],
      };
      this.state.tasks.set(t.id, t);
      return { t, r };
    });
    e.flowDone = true;
    if (stuck) {
      for (const { t } of tasks) {
        t.status = 'Running';
        t.startTime = this.clock.now();
      }
      await new Promise<void>((resolve) =>
        this.stuckRelease.set(e.id, resolve)
      );
      this.stuckRelease.delete(e.id);
      return;
    }
    for (const { t, r } of tasks) {
      if (this.stopRequested.has(e.id)) break;
      await this.runTask(e, policy, dest, t, r);
      this.refresh(e);
    }
    this.refresh(e);
  }

  /** Source enumeration (§5.2) with name, tag and label filters (§5.4). */
  private enumerate(policy: PolicyRec): Resource[] {
    const out: Resource[] = [];
    const repos = [...this.state.repos.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
    for (const repo of repos) {
      if (!repositoryMatches(this.doublestar, repo.name, policy.filters))
        continue;
      const candidates = filterArtifacts(
        this.doublestar,
        this.candidatesOf(repo),
        policy.filters
      );
      if (candidates.length > 0)
        out.push({ repo, dstRepo: repo.name, candidates, operation: 'copy' });
    }
    return out;
  }

  private labelNames(a: ArtifactRec): string[] {
    return [...a.labelIds]
      .map((id) => this.state.labels.get(id)?.name ?? '')
      .filter((n) => n !== '');
  }

  private candidatesOf(repo: RepoRec): Candidate[] {
    const s = this.state;
    const seen = new Set<string>();
    const out: Candidate[] = [];
    const addAccessories = (subject: ArtifactRec, root: ArtifactRec) => {
      for (const acc of s.accessoriesOf(subject)) {
        if (seen.has(acc.digest)) continue;
        seen.add(acc.digest);
        out.push({
          digest: acc.digest,
          tags: s.tagsOf(acc.id).map((t) => t.name),
          labels: this.labelNames(root),
          parentTags: s.tagsOf(root.id).map((t) => t.name),
          isAccessory: true,
        });
        addAccessories(acc, root);
      }
    };
    const base = s
      .artifactsOf(repo.id)
      .filter(
        (a) => !a.accessory && (s.tagsOf(a.id).length > 0 || !s.isReferenced(a))
      )
      .sort((a, b) => a.id - b.id);
    for (const a of base) {
      if (seen.has(a.digest)) continue;
      seen.add(a.digest);
      out.push({
        digest: a.digest,
        tags: s.tagsOf(a.id).map((t) => t.name),
        labels: this.labelNames(a),
        isAccessory: false,
      });
      addAccessories(a, a);
      for (const ref of a.references) {
        const child = s.artifactByDigest(repo.id, ref.childDigest);
        if (child) addAccessories(child, a);
      }
    }
    return out;
  }

  /** Creates missing destination projects (metadata.public ANDed) and skips proxy-cache ones. */
  private async prepareHarbor(
    dest: RegistryRec,
    resources: Resource[]
  ): Promise<Resource[]> {
    const wantPublic = new Map<string, boolean>();
    for (const r of resources) {
      const project = r.dstRepo.split('/')[0] ?? '';
      const src = this.state.projects.get(r.repo.projectId);
      const pub = src?.metadata.public === 'true';
      wantPublic.set(project, (wantPublic.get(project) ?? true) && pub);
    }
    const proxy = new Set<string>();
    for (const [project, pub] of wantPublic) {
      const info = await getDestProject(dest, project);
      if (!info.exists) await createDestProject(dest, project, pub);
      else if (info.proxyCache) proxy.add(project);
    }
    return resources.filter((r) => !proxy.has(r.dstRepo.split('/')[0] ?? ''));
  }

  // ---- transfer ----

  private async runTask(
    e: ExecutionRec,
    policy: PolicyRec,
    dest: RegistryRec,
    t: TaskRec,
    r: Resource
  ): Promise<void> {
    const log = new TaskLog(t.log, () => this.clock.now());
    const fault = this.faults.takeTask(r.repo.name);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (this.stopRequested.has(e.id)) return;
    t.status = 'Running';
    t.startTime = this.clock.now();
    log.info(
      `client for source registry [type: harbor, URL: http://core:8080, insecure: true] created`,
      '/controller/replication/transfer/image/transfer.go:128'
    );
    log.info(
      `client for destination registry [type: ${dest.type}, URL: ${dest.url}, insecure: ${dest.insecure}] created`,
      '/controller/replication/transfer/image/transfer.go:138'
    );
    if (fault.stop) {
      log.info('the job is stopped', '/jobservice/runner/redis.go:210');
      t.status = 'Stopped';
      t.endTime = this.clock.now();
      return;
    }
    let failed: boolean;
    if (fault.fail !== undefined) {
      log.error(fault.fail);
      failed = true;
    } else {
      const client = ociClientFor(dest);
      try {
        failed =
          r.operation === 'copy'
            ? await this.copyResource(e, policy, client, r, log)
            : await this.deleteResource(dest, client, r, log);
      } finally {
        await client.close();
      }
    }
    if (this.stopRequested.has(e.id)) return;
    if (failed)
      log.error(
        'got error during the whole transfer period, mark the job failure',
        '/controller/replication/transfer/image/transfer.go:110'
      );
    t.status = failed ? 'Error' : 'Success';
    t.endTime = this.clock.now();
  }

  private async copyResource(
    e: ExecutionRec,
    policy: PolicyRec,
    client: LabOciClient,
    r: Resource,
    log: TaskLog
  ): Promise<boolean> {
    const src = r.repo.name;
    const dst = r.dstRepo;
    let failed = false;
    const ordered = [
      ...r.candidates.filter((c) => !c.isAccessory),
      ...r.candidates.filter((c) => c.isAccessory),
    ];
    for (const c of ordered) {
      const refs = c.tags.length > 0 ? c.tags : [c.digest];
      log.info(
        `copying ${src}:[${refs.join(',')}](source registry) to ${dst}:[${refs.join(',')}](destination registry)...`
      );
      for (const ref of refs) {
        if (this.stopRequested.has(e.id)) return failed;
        const sep = ref.includes(':') ? '@' : ':';
        try {
          if (!this.store.getManifest(src, c.digest))
            throw new Error(
              `the artifact ${src}@${c.digest} not found on the source registry`
            );
          const head = await client.headManifest(dst, ref);
          if (head?.digest === c.digest) {
            log.info(
              `the artifact ${dst}${sep}${ref} already exists on the destination registry, skip`,
              '/controller/replication/transfer/image/transfer.go:342'
            );
            continue;
          }
          if (head && !policy.override) {
            log.warning(
              `the same name artifact ${dst}${sep}${ref} exists on the destination registry, but the "override" is set to false, skip`
            );
            continue;
          }
          log.info(
            `copying ${src}${sep}${ref}(source registry) to ${dst}${sep}${ref}(destination registry)...`,
            '/controller/replication/transfer/image/transfer.go:192'
          );
          await copyToRemote(this.store, src, c.digest, client, dst, ref);
          log.info(
            `copy ${src}${sep}${ref}(source registry) to ${dst}${sep}${ref}(destination registry) completed`,
            '/controller/replication/transfer/image/transfer.go:200'
          );
        } catch (err) {
          failed = true;
          log.error(
            `failed to copy ${src}${sep}${ref} to ${dst}${sep}${ref}: ${(err as Error).message}`
          );
        }
      }
      log.info(
        `copy ${src}:[${refs.join(',')}](source registry) to ${dst}:[${refs.join(',')}](destination registry) completed`,
        '/controller/replication/transfer/image/transfer.go:218'
      );
    }
    return failed;
  }

  private async deleteResource(
    dest: RegistryRec,
    client: LabOciClient,
    r: Resource,
    log: TaskLog
  ): Promise<boolean> {
    let failed = false;
    for (const c of r.candidates) {
      const refs = c.tags.length > 0 ? c.tags : [c.digest];
      for (const ref of refs) {
        const sep = ref.includes(':') ? '@' : ':';
        try {
          if (r.operation === 'tag deletion') {
            if (dest.type !== 'harbor')
              throw new Error("the tag deletion isn't supported");
            await deleteDestTag(dest, r.dstRepo, ref);
            log.info(
              `delete the tag ${r.dstRepo}:${ref} completed`,
              '/controller/replication/transfer/image/transfer.go:400'
            );
            continue;
          }
          const head = await client.headManifest(r.dstRepo, ref);
          if (!head) {
            log.info(
              `the artifact ${r.dstRepo}${sep}${ref} doesn't exist on the destination registry, skip`,
              '/controller/replication/transfer/image/transfer.go:390'
            );
            continue;
          }
          await client.deleteManifest(r.dstRepo, head.digest);
          log.info(
            `delete the artifact ${r.dstRepo}${sep}${ref} completed`,
            '/controller/replication/transfer/image/transfer.go:400'
          );
        } catch (err) {
          failed = true;
          log.error(
            `failed to delete the artifact ${r.dstRepo}${sep}${ref}: ${(err as Error).message}`
          );
        }
      }
    }
    return failed;
  }

  // ---- triggers ----

  private queueEvent(e: ArtifactEvent): void {
    this.eventQueue.push(e);
    // Index children arrive before their index: decide once the push burst is over.
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.eventTimer = setTimeout(() => {
      this.eventTimer = undefined;
      this.processEvents();
    }, 100);
  }

  private processEvents(): void {
    if (this.eventTimer) {
      clearTimeout(this.eventTimer);
      this.eventTimer = undefined;
    }
    const events = this.eventQueue;
    this.eventQueue = [];
    const policies = [...this.state.policies.values()].filter(
      (p) =>
        p.enabled && p.trigger.type === 'event_based' && p.srcRegistryId === 0
    );
    for (const ev of events) {
      const repo = this.state.repoByName(ev.repository);
      if (!repo) continue;
      for (const policy of policies) {
        let resource: Resource | undefined;
        try {
          resource = this.eventResource(ev, repo, policy);
        } catch (err) {
          // Harbor's event handler returns the filter error and starts nothing (verify).
          if (err instanceof PatternError) continue;
          throw err;
        }
        if (resource) this.launch(policy, 'event_based', () => [resource]);
      }
    }
  }

  private eventResource(
    ev: ArtifactEvent,
    repo: RepoRec,
    policy: PolicyRec
  ): Resource | undefined {
    if (!repositoryMatches(this.doublestar, repo.name, policy.filters))
      return undefined;
    let cand: Candidate;
    let operation: TaskRec['operation'];
    if (ev.type === 'push') {
      const a = this.state.artifactByDigest(repo.id, ev.digest);
      if (!a) return undefined;
      if (ev.tag === undefined && this.state.isReferenced(a)) return undefined;
      cand = {
        digest: a.digest,
        tags: ev.tag === undefined ? [] : [ev.tag],
        labels: this.labelNames(a),
        isAccessory: false,
      };
      operation = 'copy';
    } else {
      if (!policy.deletion) return undefined;
      if (ev.type === 'delete') {
        cand = {
          digest: ev.digest,
          tags: ev.tags,
          labels: ev.labels,
          isAccessory: false,
        };
        operation = 'deletion';
      } else {
        cand = {
          digest: ev.digest,
          tags: [ev.tag],
          labels: [],
          isAccessory: false,
        };
        operation = 'tag deletion';
      }
    }
    const kept = filterArtifacts(this.doublestar, [cand], policy.filters);
    if (kept.length === 0) return undefined;
    return { repo, dstRepo: repo.name, candidates: kept, operation };
  }

  private checkSchedules(): void {
    const now = this.clock.now();
    const from = this.lastCronCheck;
    this.lastCronCheck = now;
    if (now <= from) return;
    for (const p of this.state.policies.values()) {
      const cron = p.trigger.trigger_settings?.cron;
      if (
        !p.enabled ||
        p.trigger.type !== 'scheduled' ||
        cron === undefined ||
        cron === ''
      )
        continue;
      try {
        if (firesBetween(parseCron(cron), from, now))
          this.launch(p, 'scheduled', undefined);
      } catch {
        // an invalid cron was rejected at create time; ignore defensively
      }
    }
  }
}
