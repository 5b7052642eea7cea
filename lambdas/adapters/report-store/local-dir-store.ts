import {
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
  type ReadText,
} from './stored-objects';

/**
 * Keeps reports in a local directory with the same layout as the S3 store below its prefix
 * (`<dir>/<kind>/<yyyy>/<mm>/<dd>/<runId>.json`, `.md` and `.html` beside it,
 * `latest.{md,html}`, then `latest.json` last).
 */
export class LocalDirReportStore implements ReportStore, RunLease {
  /**
   * The runs sharing a directory share a machine's clock (no skew); a marker written later
   * than half a second after the run's id time is claimed again. A directory shared over a
   * network between machines is not covered.
   */
  readonly timing: LeaseTiming = { claimMs: 500, skewMs: 0 };

  /**
   * @param dir the directory (`--out`)
   * @param prefix a key prefix below it, as in S3 @default '' (none)
   */
  constructor(
    private readonly dir: string,
    private readonly prefix = ''
  ) {}

  async save(
    report: Report,
    rendered: RenderedReport
  ): Promise<ReportLocations> {
    const path = (key: string): string => join(this.dir, key);
    return saveReport(
      report,
      rendered,
      this.prefix,
      (key, text) => writeAtomic(path(key), text),
      path
    );
  }

  async recent(
    kind: ReportKind,
    limit: number,
    before?: string
  ): Promise<Report[]> {
    const root = dirname(join(this.dir, latestKey(kind, this.prefix)));
    return newestReports(await listJson(root), limit, before, readText);
  }

  async read(kind: ReportKind, runId: string): Promise<Report | null> {
    const key = jsonKeyOfRun(kind, runId, this.prefix);
    return key === null ? null : readReport(readText, join(this.dir, key));
  }

  /** Writes the run's lease marker (`<dir>/<prefix>/runs-active/<claimId>.json`), atomically. */
  async claim(marker: LeaseMarker): Promise<void> {
    await writeMarker(marker, this.prefix, (key, text) =>
      writeAtomic(join(this.dir, key), text)
    );
  }

  /** Every lease marker; a file that is not one, or vanished meanwhile, is left out. */
  async markers(): Promise<LeaseMarker[]> {
    const folder = join(this.dir, leaseFolder(this.prefix));
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // Temporary files of writeAtomic end in .tmp: not markers.
    return readMarkers(
      names.map((name) => join(folder, name)),
      readText
    );
  }

  /** Deletes a claim's lease marker (a missing one is fine). */
  async release(claimId: string): Promise<void> {
    await rm(join(this.dir, leaseKey(claimId, this.prefix)), { force: true });
  }
}

/** A file's text; null when it does not exist. */
const readText: ReadText = async (file) => {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
};

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function listJson(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name));
}
