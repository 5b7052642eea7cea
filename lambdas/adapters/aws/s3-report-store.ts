import {
  DeleteObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type {
  RenderedReport,
  ReportLocations,
  ReportStore,
  RunLease,
} from '../../core/ports';
import {
  leaseFolder,
  leaseKey,
  type LeaseMarker,
  type LeaseTiming,
} from '../../core/report/lease';
import type { Report, ReportKind } from '../../core/report/schema';
import { jsonKeyOfRun, latestKey } from '../../core/report/layout';
import {
  newestReports,
  readMarkers,
  readReport,
  saveReport,
  writeMarker,
} from '../report-store/stored-objects';
import { ReportStoreError } from './aws-errors';
import { getObjectText, listKeys, s3Uri } from './s3-object';

/** Where the store writes: a bucket and the key prefix of the design's layout. */
export interface S3ReportStoreOptions {
  bucket: string;
  /**
   * The first path segment of every key; the stack grants access under it only.
   * @default 'reports'
   */
  prefix?: string;
}

/**
 * Keeps reports in S3 with the design's layout
 * (`reports/<kind>/<yyyy>/<mm>/<dd>/<runId>.json`, the Markdown and HTML reports beside it,
 * `reports/<kind>/latest.{md,html}`, then `latest.json` last), as the local directory store
 * does on disk.
 */
export class S3ReportStore implements ReportStore, RunLease {
  /**
   * A marker's PutObject is acknowledged within 2 s (else it is claimed again); the
   * functions' clocks (Amazon Time Sync) are within 1 s of each other.
   */
  readonly timing: LeaseTiming = { claimMs: 2_000, skewMs: 1_000 };
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    options: S3ReportStoreOptions
  ) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'reports';
  }

  /**
   * Validates the report, writes its JSON, Markdown and HTML, then `latest.md`, `latest.html`
   * and `latest.json` last.
   * @throws ReportStoreError when a write fails; `latest.json` is then left as it was
   */
  async save(
    report: Report,
    rendered: RenderedReport
  ): Promise<ReportLocations> {
    return saveReport(report, rendered, this.prefix, this.put, (key) =>
      this.uri(key)
    );
  }

  /**
   * Earlier reports of a kind, newest first (older than run `before` when given). A report
   * that cannot be parsed, or that vanished between listing and reading, is skipped: trends
   * degrade, the run does not.
   * @throws ReportStoreError when listing or reading fails otherwise
   */
  async recent(
    kind: ReportKind,
    limit: number,
    before?: string
  ): Promise<Report[]> {
    if (limit <= 0) return [];
    const latest = latestKey(kind, this.prefix);
    const dir = latest.slice(0, latest.lastIndexOf('/') + 1);
    return newestReports(
      await this.listKeys(dir),
      limit,
      before,
      this.readText
    );
  }

  /**
   * One stored report by run id; null when there is none (or it cannot be parsed).
   * @throws ReportStoreError when reading fails otherwise
   */
  async read(kind: ReportKind, runId: string): Promise<Report | null> {
    const key = jsonKeyOfRun(kind, runId, this.prefix);
    return key === null ? null : readReport(this.readText, key);
  }

  /**
   * Writes the run's lease marker (`<prefix>/runs-active/<claimId>.json`).
   * @throws ReportStoreError when the write fails
   */
  async claim(marker: LeaseMarker): Promise<void> {
    await writeMarker(marker, this.prefix, this.put);
  }

  /**
   * Every lease marker (ListObjectsV2, all pages); an object that is not a marker, or that
   * vanished between listing and reading (its run released it), is left out.
   * @throws ReportStoreError when listing or reading fails otherwise
   */
  async markers(): Promise<LeaseMarker[]> {
    return readMarkers(
      await this.listKeys(leaseFolder(this.prefix)),
      this.readText
    );
  }

  /**
   * Deletes a claim's lease marker (S3 deletes a missing key without an error).
   * @throws ReportStoreError when the delete fails
   */
  async release(claimId: string): Promise<void> {
    const key = leaseKey(claimId, this.prefix);
    try {
      await this.s3.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: key })
      );
    } catch (err) {
      throw new ReportStoreError('DeleteObject', this.uri(key), err);
    }
  }

  /** An object's text, or null when it no longer exists. */
  private readonly readText = (key: string): Promise<string | null> =>
    getObjectText(
      this.s3,
      this.bucket,
      key,
      (uri, err) => new ReportStoreError('GetObject', uri, err)
    );

  private uri(key: string): string {
    return s3Uri(this.bucket, key);
  }

  private readonly put = async (
    key: string,
    body: string,
    contentType: string
  ): Promise<void> => {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        })
      );
    } catch (err) {
      throw new ReportStoreError('PutObject', this.uri(key), err);
    }
  };

  private listKeys(prefix: string): Promise<string[]> {
    return listKeys(
      this.s3,
      this.bucket,
      prefix,
      (uri, err) => new ReportStoreError('ListObjectsV2', uri, err)
    );
  }
}
