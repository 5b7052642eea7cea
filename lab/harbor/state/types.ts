/** Records of the emulated Harbor's database. Times are Dates; rendering happens in api/. */

export interface ProjectRec {
  id: number;
  name: string;
  ownerId: number;
  registryId: number;
  creationTime: Date;
  updateTime: Date;
  metadata: Record<string, string>;
  cveAllowlist: {
    id: number;
    items: { cve_id: string }[];
    expires_at?: number | null;
  };
  storageLimit: number;
}

export interface RepoRec {
  id: number;
  projectId: number;
  name: string;
  description: string;
  pullCount: number;
  creationTime: Date;
  updateTime: Date;
}

export interface PlatformRec {
  architecture?: string;
  os?: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface ReferenceRec {
  childDigest: string;
  platform?: PlatformRec;
  annotations?: Record<string, string>;
  urls?: string[];
}

export type AccessoryType =
  | 'signature.cosign'
  | 'signature.notation'
  | 'sbom.harbor'
  | 'subject.accessory';

export interface ArtifactRec {
  id: number;
  repoId: number;
  digest: string;
  manifestMediaType: string;
  mediaType: string;
  artifactType: string;
  type: string;
  size: number;
  pushTime: Date;
  pullTime?: Date;
  annotations: Record<string, string>;
  references: ReferenceRec[];
  labelIds: Set<number>;
  /** Set when this artifact is an accessory of another artifact in the same repository. */
  accessory?: {
    id: number;
    subjectDigest: string;
    type: AccessoryType;
    creationTime: Date;
  };
}

export interface TagRec {
  id: number;
  repoId: number;
  artifactId: number;
  name: string;
  pushTime: Date;
  pullTime?: Date;
}

export interface LabelRec {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  projectId: number;
  creationTime: Date;
  updateTime: Date;
}

export interface UserRec {
  id: number;
  username: string;
  password: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin: boolean;
  creationTime: Date;
  updateTime: Date;
}

export interface AccessRec {
  resource: string;
  action: string;
  effect?: string;
}

export interface RobotPermissionRec {
  kind: 'system' | 'project';
  namespace: string;
  access: AccessRec[];
}

export interface RobotRec {
  id: number;
  /** Full name with prefix: `robot$name` or `robot$project+name`. */
  name: string;
  secret: string;
  description: string;
  level: 'system' | 'project';
  duration: number;
  disable: boolean;
  expiresAt: number;
  permissions: RobotPermissionRec[];
  creationTime: Date;
  updateTime: Date;
}

export interface UserGroupRec {
  id: number;
  groupName: string;
  groupType: number;
  ldapGroupDn: string;
}

export interface MemberRec {
  id: number;
  projectId: number;
  entityType: 'u' | 'g';
  entityId: number;
  entityName: string;
  roleId: number;
}

export interface RegistryRec {
  id: number;
  name: string;
  description: string;
  type: string;
  url: string;
  credential: { type: string; access_key: string; access_secret: string };
  insecure: boolean;
  status: string;
  creationTime: Date;
  updateTime: Date;
}

export interface FilterRec {
  type: string;
  value: unknown;
  decoration?: string;
}

export interface PolicyRec {
  id: number;
  name: string;
  description: string;
  srcRegistryId: number;
  destRegistryId: number;
  destNamespace: string;
  destNamespaceReplaceCount: number;
  trigger: { type: string; trigger_settings?: { cron?: string } };
  filters: FilterRec[];
  deletion: boolean;
  override: boolean;
  enabled: boolean;
  speed: number;
  copyByChunk: boolean;
  singleActiveReplication: boolean;
  creationTime: Date;
  updateTime: Date;
}

/** Internal job statuses, as Harbor's task package stores them. */
export type JobStatus =
  'Pending' | 'Scheduled' | 'Running' | 'Success' | 'Error' | 'Stopped';

export interface ExecutionRec {
  id: number;
  policyId: number;
  status: 'Running' | 'Success' | 'Error' | 'Stopped';
  statusText: string;
  trigger: 'manual' | 'scheduled' | 'event_based';
  startTime: Date;
  endTime?: Date;
  /** True once the flow has created every task (the rollup only finishes after that). */
  flowDone: boolean;
}

export interface TaskRec {
  id: number;
  executionId: number;
  status: JobStatus;
  jobId: string;
  operation: 'copy' | 'deletion' | 'tag deletion';
  resourceType: 'artifact' | 'image';
  srcResource: string;
  dstResource: string;
  startTime?: Date;
  endTime?: Date;
  log: string[];
}

export interface ConfigItem {
  value: string | number | boolean;
  editable: boolean;
}

export interface WebhookPolicyRec {
  id: number;
  projectId: number;
  name: string;
  description: string;
  enabled: boolean;
  eventTypes: string[];
  targets: {
    type: string;
    address: string;
    auth_header?: string;
    skip_cert_verify?: boolean;
    payload_format?: string;
  }[];
  creator: string;
  creationTime: Date;
  updateTime: Date;
}

export interface TagRuleRec {
  id: number;
  priority: number;
  disabled: boolean;
  action: string;
  template: string;
  params: Record<string, unknown>;
  tag_selectors: {
    kind: string;
    decoration: string;
    pattern: string;
    extras?: string;
  }[];
  scope_selectors: Record<
    string,
    { kind: string; decoration: string; pattern: string }[]
  >;
}

export interface RetentionRec {
  id: number;
  projectId: number;
  algorithm: string;
  rules: TagRuleRec[];
  trigger: { kind: string; settings: Record<string, unknown> };
}

export interface ScannerRec {
  uuid: string;
  name: string;
  description: string;
  url: string;
  auth: string;
  accessCredential: string;
  skipCertVerify: boolean;
  useInternalAddr: boolean;
  disabled: boolean;
  isDefault: boolean;
  createTime: Date;
  updateTime: Date;
}

export interface AuditLogRec {
  id: number;
  projectId: number;
  username: string;
  resource: string;
  resourceType: string;
  operation: string;
  operationDescription: string;
  operationResult: boolean;
  opTime: Date;
}
