import { SAVED_ENV } from './metrics-env';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TARGET_DRIVERS } from '../../../lambdas/compose/drivers';
import { parseConfig } from '../../../lambdas/shared/config';
import { ENV_KEYS, METRICS } from '../../../lambdas/shared/env-keys';
import { runAudit } from '../../../lambdas/use-cases/audit';
import { RunSkippedError, type Job } from '../../../lambdas/use-cases/job';
import { createRunHandler } from '../../../lambdas/handlers/run-handler';
import { fakePrimary } from '../../helpers/fake-harbor';

// Issue 11 problem 9: with every manifest HEAD of a target hanging, the Lambda would emit
// ExposureSeconds=0 for refs it never saw. An unknown exposure has no datapoint at all.

const s3 = mockClient(S3Client);
const NOW = new Date('2026-11-29T12:00:00Z');

const primary = fakePrimary({
  harborVersion: () => Promise.resolve('v2.15.2'),
});

/** The audit job with a target whose every manifest HEAD hung. */
const hangingAudit: Job = async (_deps, input) => {
  const report = await runAudit(
    {
      primary,
      targets: [
        {
          name: 'cluster1',
          kind: 'distribution',
          url: 'http://r.example.com',
          traits: TARGET_DRIVERS.distribution.traits,
          observer: {
            listNamespace: () => Promise.resolve(['library/app']),
            observe: () =>
              Promise.reject(
                new Error(
                  'cluster1 HEAD /v2/library/app/manifests/v1: no response headers within 10000 ms (headersTimeout)'
                )
              ),
          },
        },
      ],
      clock: { now: () => NOW },
    },
    {
      runId: 'run-1',
      toolVersion: input.toolVersion,
      primary: { name: 'harbor', url: 'https://harbor.example.com' },
      policies: 'auto',
      rpoObjectiveMinutes: 60,
      concurrency: 4,
      deadline: input.deadline,
    }
  );
  return {
    report,
    locations: { json: 'j', human: 'h', html: 'x', latest: 'l' },
    notified: false,
  };
};

const context = {
  functionName: 'harbor-dr-audit',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:a',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('the run handler metrics', () => {
  beforeAll(() => {
    // The config object the stack deploys, read through a faked S3 client.
    const config = JSON.stringify(
      parseConfig(
        {
          primary: { name: 'harbor', url: 'https://harbor.example.com' },
          targets: [
            {
              name: 'cluster1',
              url: 'http://r.example.com',
              kind: 'distribution',
            },
          ],
        },
        'test'
      )
    );
    s3.on(GetObjectCommand).resolves({
      Body: {
        transformToString: () => Promise.resolve(config),
      } as unknown as GetObjectCommandOutput['Body'],
    });
    process.env[ENV_KEYS.configBucket] = 'assets';
    process.env[ENV_KEYS.configKey] = 'config.json';
    process.env[ENV_KEYS.reportBucket] = 'reports';
    process.env[ENV_KEYS.topicArn] = 'arn:aws:sns:eu-west-1:123456789012:t';
  });
  afterAll(() => {
    s3.restore();
    process.env = SAVED_ENV;
  });

  it('emits no ExposureSeconds datapoint when the refs were unseen', async () => {
    // Arrange
    const handler = createRunHandler('audit', hangingAudit);
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    let lines: Record<string, unknown>[];
    let summary: Awaited<ReturnType<typeof handler>>;
    try {
      // Act
      summary = await handler({}, context);
      lines = spy.mock.calls.flatMap(([line]) => {
        try {
          const parsed = JSON.parse(String(line)) as Record<string, unknown>;
          return '_aws' in parsed ? [parsed] : [];
        } catch {
          return [];
        }
      });
    } finally {
      spy.mockRestore();
    }

    // Assert
    expect('targets' in summary && summary.targets).toEqual([
      expect.objectContaining({ name: 'cluster1', verdict: 'UNKNOWN' }),
    ]);
    const cluster1 = lines.filter((l) => l.targetRegistry === 'cluster1');
    expect(cluster1.some((l) => METRICS.targetReady in l)).toBe(true);
    expect(lines.some((l) => METRICS.exposureSeconds in l)).toBe(false);
  });
  it('returns (never throws) a skipped result when another run holds the lease, and passes the report store as the lease', async () => {
    // Arrange
    const holder = {
      runId: '20261129T115900000Z-aaaaaa',
      kind: 'audit' as const,
      startedAt: '2026-11-29T11:59:00.000Z',
      expiresAt: '2026-11-29T12:19:00.000Z',
    };
    let leaseIsStore = false;
    const yielding: Job = (deps) => {
      leaseIsStore =
        deps.lease !== undefined && (deps.lease as unknown) === deps.store;
      return Promise.reject(
        new RunSkippedError('20261129T120000000Z-bbbbbb', holder)
      );
    };
    const handler = createRunHandler('audit', yielding);

    // Act
    const result = await handler({}, context);

    // Assert
    expect(leaseIsStore).toBe(true);
    expect(result).toEqual({
      runId: '20261129T120000000Z-bbbbbb',
      kind: 'audit',
      skipped: true,
      message:
        'skipped: another run 20261129T115900000Z-aaaaaa (audit, started at 2026-11-29T11:59:00.000Z) holds the lease until 2026-11-29T12:19:00.000Z',
      holder,
    });
  });
});
