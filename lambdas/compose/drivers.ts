import type { AuditTarget } from '../use-cases/audit';
import type { ReadinessTarget } from '../use-cases/readiness';
import type { ReplicationEndpoint, TargetObserver } from '../core/ports';
import type { TargetKind, TargetTraits } from '../core/model';
import type { TargetConfig } from '../shared/config';
import type { Endpoint } from './endpoints';
import { distributionDriver } from './drivers/distribution';
import { harborDriver } from './drivers/harbor';

/** Everything a target offers, built on its endpoint (its pool and credentials). */
export interface TargetClients {
  observer: TargetObserver;
  /** The target's own Harbor API, when it has one. */
  harbor?: AuditTarget['harbor'];
  /** Pull policies on the target: their executions, read and started on the target. */
  replication?: ReplicationEndpoint;
  /** Readiness: the metadata side of a Harbor API. */
  metadata?: ReadinessTarget['metadata'];
  /** Readiness: the distribution API (reachability, credentials). */
  registry?: ReadinessTarget['registry'];
}

/** One kind of target: what the core must know of it, and how its clients are built. */
export interface TargetDriver {
  traits: TargetTraits;
  /** @param concurrency calls in flight on the target (the size of its pool) */
  build(endpoint: Endpoint<TargetConfig>, concurrency: number): TargetClients;
}

/** A new kind of target (ECR, Quay, Artifactory) is one more driver here. */
export const TARGET_DRIVERS: Record<TargetKind, TargetDriver> = {
  harbor: harborDriver,
  distribution: distributionDriver,
};
