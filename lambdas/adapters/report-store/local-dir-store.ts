import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ReportStore } from '../../core/ports';
import {
  reportSchema,
  type Report,
  type ReportKind,
} from '../../core/report/schema';
import { latestKey, reportKeys } from '../../core/report/layout';

/**
 * Keeps reports in a local directory with the same layout as the S3 store below its prefix
 * (`<dir>/<kind>/<yyyy>/<mm>/<dd>/<runId>.json`, `.md` beside it, `latest.json` last).
 */
export class LocalDirReportStore implements ReportStore {
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
    human: string
  ): Promise<{ json: string; human: string; latest: string }> {
    const valid = reportSchema.parse(report);
    const keys = reportKeys(valid, this.prefix);
    const json = `${JSON.stringify(valid, null, 2)}\n`;
    const paths = {
      json: join(this.dir, keys.json),
      human: join(this.dir, keys.human),
      latest: join(this.dir, keys.latest),
    };
    await writeAtomic(paths.json, json);
    await writeAtomic(paths.human, human);
    await writeAtomic(paths.latest, json);
    return paths;
  }

  async recent(kind: ReportKind, limit: number): Promise<Report[]> {
    const root = dirname(join(this.dir, latestKey(kind, this.prefix)));
    const files = (await listJson(root)).filter(
      (f) => !f.endsWith('latest.json')
    );
    // Run ids start with the UTC start time, so the newest sort last.
    files.sort((a, b) => (basename(a) < basename(b) ? 1 : -1));
    const reports: Report[] = [];
    for (const file of files) {
      if (reports.length >= limit) break;
      const parsed = reportSchema.safeParse(
        JSON.parse(await readFile(file, 'utf8'))
      );
      // An unreadable earlier report is skipped: trends degrade, the run does not.
      if (parsed.success) reports.push(parsed.data);
    }
    return reports;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

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
