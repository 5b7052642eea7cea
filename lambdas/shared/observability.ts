import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import { statedExposure } from '../core/inventory/rpo';
import type { Report } from '../core/report/schema';
import { METRICS } from './env-keys';
import { redactingReplacer } from './redact';

/**
 * The structured logger of every function. The service name and level come from
 * `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_LOG_LEVEL`, which the stack sets. Never log
 * credentials or Authorization headers. As a second defence, every line is serialized
 * through {@link redactingReplacer}: errors lose their upstream causes' messages and every
 * string is scrubbed of the secret values this process resolved.
 */
export const logger = new Logger({ jsonReplacerFn: redactingReplacer });

/**
 * The EMF metrics of every function, in the `HarborDR` namespace, with the `service`
 * dimension from `POWERTOOLS_SERVICE_NAME`. Handlers call `publishStoredMetrics()` in a
 * `finally`.
 */
export const metrics = new Metrics({ namespace: METRICS.namespace });

/** The part of Powertools' Metrics that {@link recordReportMetrics} uses. */
export type MetricsSink = Pick<Metrics, 'addMetric' | 'singleMetric'>;

/**
 * Turns a report into metrics: per run `Problems`, `ArtifactsMissing` and
 * `RetriggersStarted` (stored, published by the handler), and per target
 * `ArtifactsMissing`, `TargetReady` and the exposure with the `targetRegistry` dimension
 * (emitted at once, as single metrics carry their own dimension set). The exposure is
 * `ExposureSeconds` when the estimate is known; when it is not, `ExposureAtLeastSeconds`
 * carries the lower bound the refs that were seen prove (only when positive), and neither
 * is emitted when nothing is known.
 */
export function recordReportMetrics(sink: MetricsSink, report: Report): void {
  let missing = 0;
  let retriggers = 0;
  let problems = report.errors.length;
  for (const target of report.targets) {
    const targetMissing = target.counts.missing + target.counts.mismatched;
    missing += targetMissing;
    if (target.verdict !== 'READY') problems += 1;
    retriggers += target.replication.retriggered.filter(
      (r) => !r.dryRun && r.executionId !== undefined
    ).length;

    // A single metric is flushed (dimensions and all) at its first addMetric: one each.
    const perTarget = (name: string, unit: Unit, value: number) => {
      const single = sink.singleMetric();
      single.addDimension('targetRegistry', target.name);
      single.addMetadata('verdict', target.verdict);
      single.addMetric(name, unit, value);
    };
    perTarget(METRICS.artifactsMissing, MetricUnit.Count, targetMissing);
    perTarget(
      METRICS.targetReady,
      MetricUnit.Count,
      target.verdict === 'READY' ? 1 : 0
    );
    // An estimate of null means it could not be computed: no datapoint beats a false zero.
    // Its lower bound goes to a metric of its own, never passed off as the estimate.
    const exposure = statedExposure(target);
    if (exposure.kind === 'known') {
      perTarget(METRICS.exposureSeconds, MetricUnit.Seconds, exposure.seconds);
    } else if (exposure.kind === 'at-least') {
      perTarget(
        METRICS.exposureAtLeastSeconds,
        MetricUnit.Seconds,
        exposure.seconds
      );
    }
  }
  sink.addMetric(METRICS.problems, MetricUnit.Count, problems);
  sink.addMetric(METRICS.artifactsMissing, MetricUnit.Count, missing);
  sink.addMetric(METRICS.retriggersStarted, MetricUnit.Count, retriggers);
}
