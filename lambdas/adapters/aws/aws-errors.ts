import { HarborDrError } from '../../core/errors';

/** The fields of an AWS SDK v3 service exception that the errors below keep. */
interface SdkFailure {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

function describeSdkFailure(err: unknown): {
  awsCode: string;
  status: number | undefined;
  retryable: boolean;
} {
  const failure = (
    typeof err === 'object' && err !== null ? err : {}
  ) as SdkFailure;
  const awsCode = typeof failure.name === 'string' ? failure.name : 'Error';
  const status = failure.$metadata?.httpStatusCode;
  const retryable =
    failure.$retryable !== undefined ||
    status === undefined ||
    status === 429 ||
    status >= 500;
  return { awsCode, status, retryable };
}

/**
 * An AWS call failed. Names the service, the operation and the resource (bucket key,
 * topic ARN), plus the SDK's error name and HTTP status; never a payload.
 */
export class AwsServiceError extends HarborDrError {
  readonly service: 's3' | 'sns';
  readonly operation: string;
  readonly resource: string;
  /** The SDK exception's name (`NoSuchBucket`, `NotFoundException`, ...). */
  readonly awsCode: string;
  /** undefined when no response arrived. */
  readonly status: number | undefined;

  constructor(
    service: 's3' | 'sns',
    operation: string,
    resource: string,
    cause: unknown
  ) {
    const { awsCode, status, retryable } = describeSdkFailure(cause);
    const what =
      status === undefined ? 'no response' : `HTTP ${String(status)}`;
    super(
      'UPSTREAM_HTTP',
      `${service} ${operation} ${resource}: ${what} ${awsCode}`,
      { retryable, cause }
    );
    this.name = 'AwsServiceError';
    this.service = service;
    this.operation = operation;
    this.resource = resource;
    this.awsCode = awsCode;
    this.status = status;
  }
}

/** A report could not be written to or read from S3. */
export class ReportStoreError extends AwsServiceError {
  constructor(operation: string, resource: string, cause: unknown) {
    super('s3', operation, resource, cause);
    this.name = 'ReportStoreError';
  }
}

/**
 * A summary could not be published. The report is already stored when this is thrown
 * (the job saves first, notifies second), so callers log it and carry on.
 */
export class NotificationError extends AwsServiceError {
  constructor(topicArn: string, cause: unknown) {
    super('sns', 'Publish', topicArn, cause);
    this.name = 'NotificationError';
  }
}
