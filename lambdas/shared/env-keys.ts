/**
 * Environment variable names shared by the CDK stack (which sets them) and the handlers
 * (which read them), so that the two sides cannot disagree. Values are never secrets.
 */
export const ENV_KEYS = {
  /**
   * The S3 bucket and key of the validated configuration as JSON (credential references
   * only), a CDK asset the stack writes; read once per cold start. Not the JSON itself:
   * Lambda caps all environment variables at 4 KB together, a dozen targets.
   */
  configBucket: 'HARBOR_DR_CONFIG_BUCKET',
  configKey: 'HARBOR_DR_CONFIG_KEY',
  /** The S3 bucket that receives reports. */
  reportBucket: 'HARBOR_DR_REPORT_BUCKET',
  /** The SNS topic that receives summaries. */
  topicArn: 'HARBOR_DR_TOPIC_ARN',
} as const;

/** Where the CLI and the CDK app find the configuration file when none is given. */
export const CONFIG_PATH_ENV = 'HARBOR_DR_CONFIG';

/**
 * CloudWatch metric names and namespace, shared by the functions (which emit them as EMF)
 * and the stack (whose alarms watch them). Dimensions: `service`, plus `targetRegistry`
 * on per-target metrics; never repository or tag names (cardinality).
 */
export const METRICS = {
  namespace: 'HarborDR',
  /** Per run: targets whose verdict is not READY, plus run-level errors. */
  problems: 'Problems',
  /** Missing or digest-mismatched artifacts (per run, and per target). */
  artifactsMissing: 'ArtifactsMissing',
  /** Per target: the RPO estimate, how old the oldest unreplicated change is. */
  exposureSeconds: 'ExposureSeconds',
  /**
   * Per target, only while the estimate is unknown: the lower bound the refs that were seen
   * prove (rpo.estimateAtLeastSeconds). Never emitted as ExposureSeconds: the exposure is at
   * least this, maybe more.
   */
  exposureAtLeastSeconds: 'ExposureAtLeastSeconds',
  /** Per target: 1 when the verdict is READY, else 0. */
  targetReady: 'TargetReady',
  /** Per run: replication executions started by a re-trigger (dry runs excluded). */
  retriggersStarted: 'RetriggersStarted',
} as const;
