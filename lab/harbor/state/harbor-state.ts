import { randomUUID } from 'node:crypto';
import type {
  OciStore,
  StoreEvent,
  StoredManifest,
} from '../../registry/store';
import { isIndexMediaType } from '../../registry/media-types';
import type { LabClock } from '../clock';
import {
  accessoryTypeOf,
  artifactTypeOf,
  cosignTagSubject,
} from './artifact-kind';
import { Groups, IndexedMap, key } from './indexed-map';
import type {
  ArtifactRec,
  AuditLogRec,
  ConfigItem,
  ExecutionRec,
  LabelRec,
  MemberRec,
  PolicyRec,
  ProjectRec,
  RegistryRec,
  RepoRec,
  RetentionRec,
  RobotRec,
  ScannerRec,
  TagRec,
  TagRuleRec,
  TaskRec,
  UserGroupRec,
  UserRec,
  WebhookPolicyRec,
} from './types';

/** What changed in the artifact database after a store event (drives replication events). */
export type ArtifactEvent =
  | { type: 'push'; repository: string; digest: string; tag?: string }
  | {
      type: 'delete';
      repository: string;
      digest: string;
      tags: string[];
      labels: string[];
    }
  | { type: 'untag'; repository: string; digest: string; tag: string };

const DEFAULT_METADATA = { public: 'false' };

/** The emulated Harbor's database, kept in sync with its OCI store. */
export class HarborState {
  private seq = new Map<string, number>();
  // Secondary indexes, kept by the tables' hooks (IndexedMap): every lookup below is O(1) or
  // O(result), so that a lab holding 100,000 artifacts serves a page in milliseconds.
  private readonly projectsByName = new Groups<string, ProjectRec>();
  private readonly reposByName = new Groups<string, RepoRec>();
  private readonly reposByProject = new Groups<number, RepoRec>();
  private readonly artifactsByRepo = new Groups<number, ArtifactRec>();
  private readonly artifactsByDigest = new Groups<string, ArtifactRec>();
  private readonly accessoriesBySubject = new Groups<string, ArtifactRec>();
  private readonly referencersOf = new Groups<string, ArtifactRec>();
  private readonly tagsByArtifact = new Groups<number, TagRec>();
  private readonly tagsByName = new Groups<string, TagRec>();
  private readonly tagIndex = {
    added: (t: TagRec) => {
      this.tagsByArtifact.add(t.artifactId, t);
      this.tagsByName.add(key(t.repoId, t.name), t);
    },
    removed: (t: TagRec) => {
      this.tagsByArtifact.remove(t.artifactId, t);
      this.tagsByName.remove(key(t.repoId, t.name), t);
    },
  };
  readonly projects = new IndexedMap<number, ProjectRec>({
    added: (p) => {
      this.projectsByName.add(p.name, p);
    },
    removed: (p) => {
      this.projectsByName.remove(p.name, p);
    },
  });
  readonly repos = new IndexedMap<number, RepoRec>({
    added: (r) => {
      this.reposByName.add(r.name, r);
      this.reposByProject.add(r.projectId, r);
    },
    removed: (r) => {
      this.reposByName.remove(r.name, r);
      this.reposByProject.remove(r.projectId, r);
    },
  });
  readonly artifacts = new IndexedMap<number, ArtifactRec>({
    added: (a) => {
      this.indexArtifact(a, true);
    },
    removed: (a) => {
      this.indexArtifact(a, false);
    },
  });
  readonly tags = new IndexedMap<number, TagRec>(this.tagIndex);
  readonly labels = new Map<number, LabelRec>();
  readonly users = new Map<number, UserRec>();
  readonly robots = new Map<number, RobotRec>();
  readonly groups = new Map<number, UserGroupRec>();
  readonly members = new Map<number, MemberRec>();
  readonly registries = new Map<number, RegistryRec>();
  readonly policies = new Map<number, PolicyRec>();
  readonly executions = new Map<number, ExecutionRec>();
  readonly tasks = new Map<number, TaskRec>();
  readonly webhooks = new Map<number, WebhookPolicyRec>();
  readonly immutableRules = new Map<
    number,
    TagRuleRec & { projectId: number }
  >();
  readonly retentions = new Map<number, RetentionRec>();
  readonly scanners = new Map<string, ScannerRec>();
  readonly auditLogs: AuditLogRec[] = [];
  readonly config = new Map<string, ConfigItem>();
  systemCveAllowlist: {
    items: { cve_id: string }[];
    expires_at?: number | null;
  } = { items: [] };
  private readonly artifactListeners = new Set<(e: ArtifactEvent) => void>();

  constructor(
    readonly store: OciStore,
    readonly clock: LabClock,
    admin: { username: string; password: string }
  ) {
    const now = clock.now();
    this.users.set(1, {
      id: this.next('user'),
      username: admin.username,
      password: admin.password,
      email: 'admin@example.com',
      realname: 'system admin',
      comment: 'admin user',
      sysadmin: true,
      creationTime: now,
      updateTime: now,
    });
    this.createProject({ name: 'library', metadata: { public: 'true' } }, 1);
    store.on((e) => {
      this.applyStoreEvent(e);
    });
  }

  /** The next id of a table (ids start at 1 and are never reused). */
  next(table: string): number {
    const n = (this.seq.get(table) ?? 0) + 1;
    this.seq.set(table, n);
    return n;
  }

  /** Subscribes to artifact changes (after the database is updated). */
  onArtifactEvent(listener: (e: ArtifactEvent) => void): () => void {
    this.artifactListeners.add(listener);
    return () => this.artifactListeners.delete(listener);
  }

  // ---- projects ----

  /** Creates a project; metadata values are strings as Harbor stores them. */
  createProject(
    req: {
      name: string;
      metadata?: Record<string, string>;
      registryId?: number;
      storageLimit?: number;
      cveAllowlist?: ProjectRec['cveAllowlist'];
    },
    ownerId: number
  ): ProjectRec {
    const now = this.clock.now();
    const id = this.next('project');
    const p: ProjectRec = {
      id,
      name: req.name,
      ownerId,
      registryId: req.registryId ?? 0,
      creationTime: now,
      updateTime: now,
      metadata: { ...DEFAULT_METADATA, ...(req.metadata ?? {}) },
      cveAllowlist: req.cveAllowlist ?? { id: this.next('cve'), items: [] },
      storageLimit: req.storageLimit ?? -1,
    };
    this.projects.set(id, p);
    const owner = this.users.get(ownerId);
    if (owner && !owner.sysadmin) {
      const mid = this.next('member');
      this.members.set(mid, {
        id: mid,
        projectId: id,
        entityType: 'u',
        entityId: owner.id,
        entityName: owner.username,
        roleId: 1,
      });
    }
    return p;
  }

  /** A project by exact name. */
  projectByName(name: string): ProjectRec | undefined {
    return this.projectsByName.first(name);
  }

  // ---- repositories / artifacts ----

  /** A repository by full name (`project/a/b`). */
  repoByName(name: string): RepoRec | undefined {
    return this.reposByName.first(name);
  }

  /** The repositories of a project, by id. */
  reposOf(projectId: number): RepoRec[] {
    return this.reposByProject.list(projectId);
  }

  /** How many repositories a project holds. */
  repoCount(projectId: number): number {
    return this.reposByProject.size(projectId);
  }

  /** Every artifact of a repository (incl. index children and accessories), by id. */
  artifactsOf(repoId: number): ArtifactRec[] {
    return this.artifactsByRepo.list(repoId);
  }

  /** Every artifact of a project's repositories, by id. */
  artifactsOfProject(projectId: number): ArtifactRec[] {
    const rows = this.reposOf(projectId).flatMap((r) => this.artifactsOf(r.id));
    return rows.sort((a, b) => a.id - b.id);
  }

  /** An artifact of a repository by digest. */
  artifactByDigest(repoId: number, digest: string): ArtifactRec | undefined {
    return this.artifactsByDigest.first(key(repoId, digest));
  }

  /** An artifact by tag or digest. */
  artifactByRef(repoId: number, ref: string): ArtifactRec | undefined {
    if (ref.includes(':')) return this.artifactByDigest(repoId, ref);
    const t = this.tagByName(repoId, ref);
    return t === undefined ? undefined : this.artifacts.get(t.artifactId);
  }

  /** A tag of a repository by name. */
  tagByName(repoId: number, name: string): TagRec | undefined {
    return this.tagsByName.first(key(repoId, name));
  }

  /** Tags of an artifact, ordered by id. */
  tagsOf(artifactId: number): TagRec[] {
    const rows = this.tagsByArtifact.list(artifactId);
    return rows.length > 1 ? rows.sort((a, b) => a.id - b.id) : rows;
  }

  /** How many tags an artifact has. */
  tagCount(artifactId: number): number {
    return this.tagsByArtifact.size(artifactId);
  }

  /** Accessories whose subject is the artifact, by id. */
  accessoriesOf(a: ArtifactRec): ArtifactRec[] {
    return this.accessoriesBySubject.list(key(a.repoId, a.digest));
  }

  /** True when some index of the repository references the artifact. */
  isReferenced(a: ArtifactRec): boolean {
    return this.referencersOf.size(key(a.repoId, a.digest)) > 0;
  }

  private indexArtifact(a: ArtifactRec, add: boolean): void {
    const op = add ? 'add' : 'remove';
    this.artifactsByRepo[op](a.repoId, a);
    this.artifactsByDigest[op](key(a.repoId, a.digest), a);
    if (a.accessory)
      this.accessoriesBySubject[op](
        key(a.repoId, a.accessory.subjectDigest),
        a
      );
    for (const r of a.references)
      this.referencersOf[op](key(a.repoId, r.childDigest), a);
  }

  /** Appends an audit log row (auditlog-exts). */
  audit(row: Omit<AuditLogRec, 'id' | 'opTime' | 'operationResult'>): void {
    this.auditLogs.push({
      ...row,
      id: this.next('audit'),
      opTime: this.clock.now(),
      operationResult: true,
    });
  }

  private ensureRepo(name: string): RepoRec | undefined {
    const existing = this.repoByName(name);
    if (existing) return existing;
    const project = this.projectByName(name.split('/')[0] ?? '');
    if (!project) return undefined;
    const now = this.clock.now();
    const r: RepoRec = {
      id: this.next('repo'),
      projectId: project.id,
      name,
      description: '',
      pullCount: 0,
      creationTime: now,
      updateTime: now,
    };
    this.repos.set(r.id, r);
    return r;
  }

  private sizeOf(m: StoredManifest): number {
    let size = m.bytes.length;
    for (const b of m.blobs) size += this.store.getBlob(b)?.length ?? 0;
    for (const c of m.children) {
      const child = this.store.getManifest(m.repository, c);
      if (child) size += this.sizeOf(child);
    }
    return size;
  }

  private createArtifact(
    repo: RepoRec,
    m: StoredManifest,
    tag?: string
  ): ArtifactRec {
    const now = this.clock.now();
    const isIndex = isIndexMediaType(m.mediaType);
    let parsed: {
      annotations?: Record<string, string>;
      manifests?: {
        digest: string;
        platform?: Record<string, unknown>;
        annotations?: Record<string, string>;
        urls?: string[];
      }[];
    } = {};
    try {
      parsed = JSON.parse(m.bytes.toString('utf8')) as typeof parsed;
    } catch {
      parsed = {};
    }
    const subjectDigest = m.subject ?? cosignTagSubject(tag);
    const a: ArtifactRec = {
      id: this.next('artifact'),
      repoId: repo.id,
      digest: m.digest,
      manifestMediaType: m.mediaType,
      mediaType: isIndex ? m.mediaType : (m.configMediaType ?? m.mediaType),
      artifactType:
        m.artifactType ?? (isIndex ? m.mediaType : (m.configMediaType ?? '')),
      type: artifactTypeOf(isIndex, m.configMediaType),
      size: this.sizeOf(m),
      pushTime: now,
      annotations: parsed.annotations ?? {},
      references: isIndex
        ? (parsed.manifests ?? []).map((c) => ({
            childDigest: c.digest,
            ...(c.platform ? { platform: c.platform as never } : {}),
            ...(c.annotations ? { annotations: c.annotations } : {}),
            ...(c.urls ? { urls: c.urls } : {}),
          }))
        : [],
      labelIds: new Set(),
    };
    if (subjectDigest !== undefined && subjectDigest !== m.digest) {
      a.accessory = {
        id: this.next('accessory'),
        subjectDigest,
        type:
          m.subject !== undefined
            ? accessoryTypeOf(m.artifactType ?? m.configMediaType)
            : 'signature.cosign',
        creationTime: now,
      };
    }
    this.artifacts.set(a.id, a);
    return a;
  }

  /** Mirrors one store event into the artifact database (Harbor's registry event handler). */
  applyStoreEvent(e: StoreEvent): void {
    if (e.type === 'push') {
      const m = this.store.getManifest(e.repository, e.digest);
      const repo = this.ensureRepo(e.repository);
      if (!m || !repo) return;
      let a = this.artifactByDigest(repo.id, e.digest);
      const created = a === undefined;
      a ??= this.createArtifact(repo, m, e.tag);
      repo.updateTime = this.clock.now();
      if (e.tag !== undefined) this.setTag(repo, a, e.tag);
      if (created) {
        this.audit({
          projectId: repo.projectId,
          username: 'lab',
          resource: `${e.repository}@${e.digest}`,
          resourceType: 'artifact',
          operation: 'create',
          operationDescription: `create artifact ${e.repository}@${e.digest}`,
        });
      }
      this.emitArtifact({
        type: 'push',
        repository: e.repository,
        digest: e.digest,
        ...(e.tag !== undefined ? { tag: e.tag } : {}),
      });
    } else if (e.type === 'delete') {
      const repo = this.repoByName(e.repository);
      const a = repo && this.artifactByDigest(repo.id, e.digest);
      if (!repo || !a) return;
      const labels = [...a.labelIds]
        .map((id) => this.labels.get(id)?.name ?? '')
        .filter((n) => n !== '');
      for (const t of this.tagsOf(a.id)) this.tags.delete(t.id);
      this.artifacts.delete(a.id);
      this.audit({
        projectId: repo.projectId,
        username: 'lab',
        resource: `${e.repository}@${e.digest}`,
        resourceType: 'artifact',
        operation: 'delete',
        operationDescription: `delete artifact ${e.repository}@${e.digest}`,
      });
      this.emitArtifact({
        type: 'delete',
        repository: e.repository,
        digest: e.digest,
        tags: e.tags,
        labels,
      });
    } else {
      const repo = this.repoByName(e.repository);
      const t = repo && this.tagByName(repo.id, e.tag);
      if (!repo || !t) return;
      this.tags.delete(t.id);
      this.emitArtifact({
        type: 'untag',
        repository: e.repository,
        digest: e.digest,
        tag: e.tag,
      });
    }
  }

  private setTag(repo: RepoRec, a: ArtifactRec, name: string): void {
    const existing = this.tagByName(repo.id, name);
    if (existing?.artifactId === a.id) return; // same digest re-pushed: push_time unchanged
    const now = this.clock.now();
    if (existing) {
      this.tagIndex.removed(existing);
      existing.artifactId = a.id;
      existing.pushTime = now;
      this.tagIndex.added(existing);
      return;
    }
    const t: TagRec = {
      id: this.next('tag'),
      repoId: repo.id,
      artifactId: a.id,
      name,
      pushTime: now,
    };
    this.tags.set(t.id, t);
  }

  private emitArtifact(e: ArtifactEvent): void {
    for (const l of [...this.artifactListeners]) l(e);
  }

  /** A fresh random secret (robots). */
  static secret(): string {
    return randomUUID().replace(/-/g, '').slice(0, 32);
  }
}
