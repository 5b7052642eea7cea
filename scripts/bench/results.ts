import type { ProfileSummary } from './profile';
import type { ToolRate } from './http-tools';
import type { BenchSizes } from './scenario';
import type { AuditTrace } from './trace';

/** One audit measurement (one target, one child process). */
export interface AuditMeasurement {
  target: string;
  /** The registry target is audited in rounds between raw HEAD loops. */
  round?: number;
  kind: 'distribution' | 'harbor';
  /** Expected refs the audit compared (all found synced, or the run fails). */
  artifacts: number;
  seconds: number;
  rate: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
  /** Peaks of the audit's heap, external memory and array buffers (sampled every 20 ms). */
  memory: {
    heapUsedMiB: number;
    externalMiB: number;
    arrayBuffersMiB: number;
    snapshot?: string | undefined;
  };
  /** CPU of the audit process. */
  cpuSeconds: number;
  /** CPU of the benchmark process meanwhile: the emulated Harbors serving the audit. */
  labCpuSeconds: number;
  /** CPU of docker-registry meanwhile. */
  registryCpuSeconds: number | undefined;
  /** CPU of the latency proxy meanwhile (undefined without a proxy). */
  proxyCpuSeconds: number | undefined;
  /** HTTP requests per 100 expected artifacts, by upstream (`primary`, `target`). */
  requestsPer100: Record<string, number>;
  verdict: string;
  report: string;
  /** The requests of the audit by kind, on a time line (undici diagnostics channels). */
  trace: AuditTrace;
}

/** One run of the raw HEAD loop. */
export interface RawHeadMeasurement {
  /** keep-alive: `reset: false` on each HEAD; default: undici closes the connection after a HEAD. */
  mode: 'keep-alive' | 'default';
  /** Connections and loops in flight. */
  concurrency: number;
  /** Where in the sequence it ran, e.g. `after audit 1`. */
  when: string;
  requests: number;
  /** TCP connections the loop opened. */
  connections: number;
  seconds: number;
  rate: number;
  cpuSeconds: number;
  peakRssMiB: number;
  registryCpuSeconds: number | undefined;
}

/** One aim of issue 4 and how the run did. */
export interface AimResult {
  name: string;
  value: number;
  unit: 'x' | '%' | 'MiB' | 'req';
  aim: string;
  /** Undefined for figures reported for information. */
  met: boolean | undefined;
}

/** Everything one `npm run bench` measured (written to .bench/results.json). */
export interface BenchResults {
  startedAt: string;
  totalSeconds: number;
  /** The audit's concurrency. */
  concurrency: number;
  /** The Node.js flags the audit child ran with (`harbor-dr`'s by default). */
  auditNodeFlags: string[];
  /** Whether the registry target adapted its concurrency (up to `concurrency`). */
  adaptive: boolean;
  /** The link between the clients and docker-registry (the latency proxy; 0/0 = loopback). */
  link: { rttMs: number; jitterMs: number };
  /** The concurrency at which the raw HEAD loop was fastest (the sweep before the audits). */
  bestRawConcurrency: number;
  environment: {
    node: string;
    cpus: number;
    loadAtStart: number;
    loadAtEnd: number;
    registryVersion: string;
  };
  dataSet: BenchSizes & { registryTags: number; harborArtifacts: number };
  seeding: {
    labStartSeconds: number;
    labStoresSeconds: number;
    /** CPU of the lab seeding (this process). */
    labStoresCpuSeconds: number;
    /** Artifacts the lab Harbors' databases hold after seeding (primary and Harbor target). */
    labArtifactsStored: number;
    registry: {
      blobUploads: number;
      manifestPuts: number;
      /** Tags written into the registry's storage (registry-files.ts) instead of pushed. */
      fileTags: number;
      seconds: number;
    };
  };
  /** The lab Harbor target serving the auditor's artifact pages (100 per page). */
  labPages: {
    repository: string;
    artifactsInRepository: number;
    artifactsInLab: number;
    pages: number;
    meanMs: number;
    cpuMsPerPage: number;
  };
  audits: AuditMeasurement[];
  skopeo:
    | {
        compared: number;
        synced: number;
        seconds: number;
        rate: number;
        extrapolatedSeconds: number;
      }
    | undefined;
  rawHead: RawHeadMeasurement[];
  tools: ToolRate[];
  aims: AimResult[];
  notes: string[];
  profiles: { target: string; summary: ProfileSummary }[];
}
