import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ReportStoreError } from '../../../../lambdas/adapters/aws/aws-errors';
import { S3ReportStore } from '../../../../lambdas/adapters/aws/s3-report-store';
import { report } from '../../../helpers/report-fixture';

const s3 = mockClient(S3Client);

// The part of the SDK's stream mixin that the store reads.
function body(text: string) {
  return {
    transformToString: () => Promise.resolve(text),
  } as unknown as GetObjectCommandOutput['Body'];
}

function accessDenied(): S3ServiceException {
  return new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'Access Denied',
  });
}

describe('S3ReportStore', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('writes JSON, Markdown and HTML with their content types, then latest.md, latest.html and latest.json last', async () => {
    // Arrange
    s3.on(PutObjectCommand).resolves({});
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    // Act
    const where = await store.save(report(), {
      markdown: '# Audit\n',
      html: '<!doctype html>\n',
    });

    // Assert
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Key, p.ContentType])).toEqual([
      [
        'reports/audit/2026/11/29/20261129T020000000Z-abcd.json',
        'application/json',
      ],
      [
        'reports/audit/2026/11/29/20261129T020000000Z-abcd.md',
        'text/markdown; charset=utf-8',
      ],
      [
        'reports/audit/2026/11/29/20261129T020000000Z-abcd.html',
        'text/html; charset=utf-8',
      ],
      ['reports/audit/latest.md', 'text/markdown; charset=utf-8'],
      ['reports/audit/latest.html', 'text/html; charset=utf-8'],
      ['reports/audit/latest.json', 'application/json'],
    ]);
    expect(puts[5]?.Body).toBe(puts[0]?.Body);
    expect(puts[2]?.Body).toBe('<!doctype html>\n');
    expect(puts[4]?.Body).toBe(puts[2]?.Body);
    expect(puts[3]?.Body).toBe('# Audit\n');
    expect(where).toEqual({
      json: 's3://b/reports/audit/2026/11/29/20261129T020000000Z-abcd.json',
      human: 's3://b/reports/audit/2026/11/29/20261129T020000000Z-abcd.md',
      html: 's3://b/reports/audit/2026/11/29/20261129T020000000Z-abcd.html',
      latest: 's3://b/reports/audit/latest.json',
    });
  });

  it('leaves latest.json alone when the report itself cannot be written', async () => {
    // Arrange
    s3.on(PutObjectCommand).rejects(accessDenied());
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    // Act
    const saving = store.save(report(), { markdown: '# Audit\n', html: '' });

    // Assert
    await expect(saving).rejects.toThrow(ReportStoreError);
    await expect(saving).rejects.toMatchObject({
      service: 's3',
      operation: 'PutObject',
      awsCode: 'AccessDenied',
      status: 403,
      retryable: false,
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('refuses to store a report that breaks the contract', async () => {
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });
    const bad = { ...report(), verdict: 'GREEN' } as unknown as ReturnType<
      typeof report
    >;

    await expect(store.save(bad, { markdown: '', html: '' })).rejects.toThrow();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('reads earlier reports newest first across pages, skipping unreadable ones', async () => {
    // Arrange
    const older = report({ runId: '20261127T020000000Z-aaaa' });
    const newer = report({ runId: '20261128T020000000Z-bbbb' });
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [
        { Key: 'reports/audit/2026/11/27/20261127T020000000Z-aaaa.json' },
        { Key: 'reports/audit/2026/11/27/20261127T020000000Z-aaaa.md' },
        { Key: 'reports/audit/latest.json' },
      ],
      IsTruncated: true,
      NextContinuationToken: 'page2',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 'page2' }).resolves({
      Contents: [
        { Key: 'reports/audit/2026/11/28/20261128T020000000Z-bbbb.json' },
        { Key: 'reports/audit/2026/11/28/20261128T120000000Z-junk.json' },
        { Key: 'reports/audit/2026/11/28/20261128T130000000Z-gone.json' },
      ],
    });
    s3.on(GetObjectCommand, {
      Key: 'reports/audit/2026/11/27/20261127T020000000Z-aaaa.json',
    }).resolves({ Body: body(JSON.stringify(older)) });
    s3.on(GetObjectCommand, {
      Key: 'reports/audit/2026/11/28/20261128T020000000Z-bbbb.json',
    }).resolves({ Body: body(JSON.stringify(newer)) });
    s3.on(GetObjectCommand, {
      Key: 'reports/audit/2026/11/28/20261128T120000000Z-junk.json',
    }).resolves({ Body: body('{"schemaVersion": 1, "trunc') });
    s3.on(GetObjectCommand, {
      Key: 'reports/audit/2026/11/28/20261128T130000000Z-gone.json',
    }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    // Act
    const recent = await store.recent('audit', 5);

    // Assert
    expect(recent.map((r) => r.runId)).toEqual([newer.runId, older.runId]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: 'b',
      Prefix: 'reports/audit/',
      ContinuationToken: undefined,
    });
    expect(
      s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)
    ).not.toContain('reports/audit/latest.json');
  });

  it('stops reading once it has `limit` reports', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'reports/readiness/2026/11/27/20261127T020000000Z-aaaa.json' },
        { Key: 'reports/readiness/2026/11/28/20261128T020000000Z-bbbb.json' },
      ],
    });
    s3.on(GetObjectCommand).resolves({
      Body: body(
        JSON.stringify(
          report({ kind: 'readiness', runId: '20261128T020000000Z-bbbb' })
        )
      ),
    });
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    const recent = await store.recent('readiness', 1);

    expect(recent).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input.Key).toBe(
      'reports/readiness/2026/11/28/20261128T020000000Z-bbbb.json'
    );
  });

  it('raises a typed error when listing is refused, rather than reporting no history', async () => {
    s3.on(ListObjectsV2Command).rejects(accessDenied());
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    await expect(store.recent('audit', 3)).rejects.toMatchObject({
      name: 'ReportStoreError',
      operation: 'ListObjectsV2',
      resource: 's3://b/reports/audit/',
    });
  });

  it('raises a typed error when a read fails for another reason than a missing key', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'reports/audit/2026/11/28/20261128T020000000Z-b.json' },
      ],
    });
    s3.on(GetObjectCommand).rejects(accessDenied());
    const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

    await expect(store.recent('audit', 3)).rejects.toMatchObject({
      name: 'ReportStoreError',
      operation: 'GetObject',
      status: 403,
    });
  });
  describe('the run lease', () => {
    const marker = (id: string) => ({
      runId: `20261130T0200000${id}Z-abcdef`,
      kind: 'audit' as const,
      startedAt: '2026-11-30T02:00:00.000Z',
      expiresAt: '2026-11-30T02:20:00.000Z',
    });

    it('writes a marker under runs-active/, lists every page of them, skips what is not one, deletes by run id', async () => {
      // Arrange
      const one = marker('01');
      const two = marker('02');
      const stored: Record<string, string> = {
        [`reports/runs-active/${one.runId}.json`]: JSON.stringify(one),
        [`reports/runs-active/${two.runId}.json`]: JSON.stringify(two),
        'reports/runs-active/20261130T020000000Z-broken.json': '{',
        'reports/runs-active/20261130T020000000Z-other.json':
          JSON.stringify(one),
      };
      s3.on(PutObjectCommand).resolves({});
      s3.on(DeleteObjectCommand).resolves({});
      s3.on(ListObjectsV2Command)
        .resolvesOnce({
          Contents: [
            { Key: `reports/runs-active/${one.runId}.json` },
            { Key: 'reports/runs-active/20261130T020000000Z-broken.json' },
          ],
          IsTruncated: true,
          NextContinuationToken: 'page-2',
        })
        .resolvesOnce({
          Contents: [
            { Key: `reports/runs-active/${two.runId}.json` },
            { Key: 'reports/runs-active/20261130T020000000Z-other.json' },
            { Key: 'reports/runs-active/notes.txt' },
          ],
        });
      s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
        Body: body(stored[input.Key] ?? ''),
      }));
      const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

      // Act
      await store.claim(one);
      const markers = await store.markers();
      await store.release(one.runId);

      // Assert
      const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
      expect(put?.Key).toBe(`reports/runs-active/${one.runId}.json`);
      expect(JSON.parse(put?.Body as string)).toEqual(one);
      const lists = s3
        .commandCalls(ListObjectsV2Command)
        .map((c) => c.args[0].input);
      expect(lists.map((l) => [l.Prefix, l.ContinuationToken])).toEqual([
        ['reports/runs-active/', undefined],
        ['reports/runs-active/', 'page-2'],
      ]);
      expect(markers).toEqual([one, two]);
      expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'b',
        Key: `reports/runs-active/${one.runId}.json`,
      });
    });

    it('names the operation and the key when a lease call is refused', async () => {
      // Arrange
      s3.on(ListObjectsV2Command).rejects(accessDenied());
      s3.on(DeleteObjectCommand).rejects(accessDenied());
      const store = new S3ReportStore(new S3Client({}), { bucket: 'b' });

      // Act
      const listing = await store.markers().catch((err: unknown) => err);
      const deleting = await store
        .release('20261130T020000000Z-abcdef')
        .catch((err: unknown) => err);

      // Assert
      expect(listing).toBeInstanceOf(ReportStoreError);
      expect(String(listing)).toContain('ListObjectsV2');
      expect(String(listing)).toContain('s3://b/reports/runs-active/');
      expect(deleting).toBeInstanceOf(ReportStoreError);
      expect(String(deleting)).toContain('DeleteObject');
      expect(String(deleting)).toContain(
        's3://b/reports/runs-active/20261130T020000000Z-abcdef.json'
      );
    });
  });
});
