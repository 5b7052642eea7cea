/**
 * Environment variable names shared by the CDK stack (which sets them) and the handlers
 * (which read them), so that the two sides cannot disagree. Values are never secrets.
 */
export const ENV_KEYS = {
  /** The validated configuration as JSON (credential references only). */
  config: 'HARBOR_DR_CONFIG_JSON',
  /** The S3 bucket that receives reports. */
  reportBucket: 'HARBOR_DR_REPORT_BUCKET',
  /** The SNS topic that receives summaries. */
  topicArn: 'HARBOR_DR_TOPIC_ARN',
} as const;

/** Where the CLI and the CDK app find the configuration file when none is given. */
export const CONFIG_PATH_ENV = 'HARBOR_DR_CONFIG';
