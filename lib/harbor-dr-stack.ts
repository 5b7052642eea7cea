import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { HarborDrConfig } from '../lambdas/shared/config';

/** Properties of {@link HarborDrStack}. */
export interface HarborDrStackProps extends StackProps {
  /** The validated configuration (credential references only, never secret values). */
  readonly config: HarborDrConfig;
  /**
   * How long reports are kept before S3 expires them.
   * @default Duration.days(400)
   */
  readonly reportRetention?: Duration;
}

/**
 * The harbor-dr-auditor deployment. It takes a configuration that was validated at synth
 * time, so a bad config fails `cdk synth` with the field named, before anything deploys.
 */
export class HarborDrStack extends Stack {
  readonly config: HarborDrConfig;
  /** Where audit and readiness reports land (`reports/<kind>/...`). */
  readonly reportsBucket: Bucket;

  constructor(scope: Construct, id: string, props: HarborDrStackProps) {
    super(scope, id, {
      description: `harbor-dr-auditor: replication audits of ${props.config.primary.name}`,
      ...props,
    });
    this.config = props.config;

    this.reportsBucket = new Bucket(this, 'Reports', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          expiration: props.reportRetention ?? Duration.days(400),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
  }
}
