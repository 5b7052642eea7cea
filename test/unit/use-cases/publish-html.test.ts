import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import type { ReportStore } from '../../../lambdas/core/ports';
import type { Report } from '../../../lambdas/core/report/schema';
import { parseConfig } from '../../../lambdas/shared/config';
import { publish } from '../../../lambdas/use-cases/publish';
import { report } from '../../helpers/report-fixture';

const config = parseConfig(
  {
    primary: { name: 'primary', url: 'https://harbor.example.com' },
    targets: [
      { name: 'cluster1', url: 'https://r1.example.com', kind: 'distribution' },
    ],
  },
  'test'
);

function run(hour: number): Report {
  const hh = String(hour).padStart(2, '0');
  return report({
    runId: `20261129T${hh}0000000Z-r${hh}`,
    startedAt: `2026-11-29T${hh}:00:00.000Z`,
    finishedAt: `2026-11-29T${hh}:00:05.000Z`,
  });
}

describe('publish: the HTML report', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'publish-html-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the HTML beside the JSON and as latest.html, charting the earlier runs the job read', async () => {
    const store = new LocalDirReportStore(dir);
    const deps = { store, clock: { now: () => new Date() } };

    const result = await publish(deps, config, run(3), {
      reports: [run(2), run(1)],
    });

    const page = await readFile(
      result.locations.json.replace(/\.json$/, '.html'),
      'utf8'
    );
    expect(page).toContain('id="chart-exposure" data-runs="3"');
    expect(await readFile(join(dir, 'audit', 'latest.html'), 'utf8')).toBe(
      page
    );
    expect(await readFile(join(dir, 'audit', 'latest.md'), 'utf8')).toBe(
      await readFile(result.locations.human, 'utf8')
    );
  });

  it('reads no earlier report itself: the history comes with the run (one read per report per run)', async () => {
    const local = new LocalDirReportStore(dir);
    let reads = 0;
    const store: ReportStore = {
      save: (r, rendered) => local.save(r, rendered),
      recent: (...args) => {
        reads++;
        return local.recent(...args);
      },
      read: (kind, id) => {
        reads++;
        return local.read(kind, id);
      },
    };

    await publish({ store, clock: { now: () => new Date() } }, config, run(3), {
      reports: [run(2)],
    });

    expect(reads).toBe(0);
  });

  it('still stores the report, with this run only, when earlier runs could not be read', async () => {
    const store = new LocalDirReportStore(dir);

    const result = await publish(
      { store, clock: { now: () => new Date() } },
      config,
      run(3),
      { reports: [], error: 'AccessDenied' }
    );

    const page = await readFile(join(dir, 'audit', 'latest.html'), 'utf8');
    expect(result.report.runId).toBe('20261129T030000000Z-r03');
    expect(page).toContain('Earlier runs could not be read: AccessDenied');
    expect(page).toContain('data-runs="1"');
  });
});
