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

  it('writes the HTML beside the JSON and as latest.html, charting the runs stored before', async () => {
    const store = new LocalDirReportStore(dir);
    const deps = { store, clock: { now: () => new Date() } };
    for (const hour of [1, 2])
      await publish(deps, config, run(hour), undefined);

    const result = await publish(deps, config, run(3), undefined);

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

  it('still stores the report, with this run only, when earlier runs cannot be read', async () => {
    const local = new LocalDirReportStore(dir);
    const store: ReportStore = {
      save: (r, rendered) => local.save(r, rendered),
      recent: () => Promise.reject(new Error('AccessDenied')),
      read: (kind, id) => local.read(kind, id),
    };
    const warnings: string[] = [];

    const result = await publish(
      {
        store,
        clock: { now: () => new Date() },
        warn: (m) => warnings.push(m),
      },
      config,
      run(3),
      undefined
    );

    const page = await readFile(join(dir, 'audit', 'latest.html'), 'utf8');
    expect(result.report.runId).toBe('20261129T030000000Z-r03');
    expect(page).toContain('Earlier runs could not be read: AccessDenied');
    expect(page).toContain('data-runs="1"');
    expect(warnings).toEqual([
      expect.stringMatching(/HTML report shows this run only/),
    ]);
  });
});
