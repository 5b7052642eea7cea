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
  /** CPU of the audit process. */
  cpuSeconds: number;
  /** CPU of the benchmark process meanwhile: the emulated Harbors serving the audit. */
  labCpuSeconds: number;
  /** CPU of docker-registry meanwhile. */
  registryCpuSeconds: number | undefined;
  verdict: string;
  report: string;
  /** The requests of the audit by kind, on a time line (undici diagnostics channels). */
  trace: AuditTrace;
}

/** One run of the raw HEAD loop. */
export interface RawHeadMeasurement {
  /** keep-alive: `reset: false` on each HEAD; default: undici closes the connection after a HEAD. */
  mode: 'keep-alive' | 'default';
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
  unit: 'x' | '%' | 'MiB';
  aim: string;
  /** Undefined for figures reported for information. */
  met: boolean | undefined;
}

/** Everything one `npm run bench` measured (written to .bench/results.json). */
export interface BenchResults {
  startedAt: string;
  totalSeconds: number;
  concurrency: number;
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
    registry: {
      blobUploads: number;
      manifestPuts: number;
      seconds: number;
    };
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
