import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../../lambdas/shared/config';

/** A stand-in handler, for the construct's own tests. */
export const ECHO_ENTRY = join(
  __dirname,
  '..',
  'fixtures',
  'handlers',
  'echo.ts'
);

/** An App that skips esbuild: the template's S3 keys stay put as handler code changes. */
export function fastApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** A valid config (secret references only), with overrides merged at the top level. */
export function configWith(overrides: Record<string, unknown> = {}) {
  return parseConfig(
    {
      primary: {
        name: 'harbor-primary',
        url: 'https://harbor.example.com',
        credentials: { secretId: 'harbor-dr/primary' },
      },
      targets: [
        {
          name: 'dr',
          url: 'https://harbor-dr.example.com',
          kind: 'harbor',
          credentials: {
            secretId:
              'arn:aws:secretsmanager:eu-west-1:123456789012:secret:harbor-dr/dr-AbC123',
          },
        },
        {
          name: 'cluster1',
          url: 'https://cluster1.example.com',
          kind: 'distribution',
          // The same secret twice is granted once.
          credentials: { secretId: 'harbor-dr/primary' },
        },
      ],
      ...overrides,
    },
    'test'
  );
}
