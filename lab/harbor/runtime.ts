import type { OciStore } from '../registry/store';
import type { LabClock } from './clock';
import type { HarborState } from './state/harbor-state';
import type { ExecutionRec } from './state/types';

/** The replication engine as the REST layer sees it. */
export interface ReplicationControl {
  /** Starts an execution of a policy (manual or scheduled); the flow runs in the background. */
  start(policyId: number, trigger: 'manual' | 'scheduled'): ExecutionRec;
  /** Stops an execution: pending/running tasks become Stopped. */
  stop(executionId: number): void;
}

/** Everything the REST handlers of one emulated Harbor share. */
export interface HarborRuntime {
  name: string;
  state: HarborState;
  store: OciStore;
  clock: LabClock;
  version: string;
  /** The externally visible base URL (`http://127.0.0.1:<port>`). */
  externalUrl(): string;
  replication: ReplicationControl;
}
