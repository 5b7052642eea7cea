import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { renderMetrics } from '../core/report/render/metrics';
import type { Report } from '../core/report/schema';

/**
 * Writes a report's metrics for the node_exporter textfile collector, atomically: into a
 * temporary file beside it (a name the collector ignores: it reads `*.prom` only), then
 * renamed over it, so that a scrape never reads half a file.
 */
export function writeMetricsFile(path: string, report: Report): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, renderMetrics(report), { mode: 0o644 });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
