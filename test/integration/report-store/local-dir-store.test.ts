import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { report } from '../../helpers/report-fixture';

describe('LocalDirReportStore', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'harbor-dr-reports-'));

  it('writes the JSON, the Markdown and HTML reports, latest.md, latest.html and latest.json in the design layout', async () => {
    const root = dir();
    const store = new LocalDirReportStore(root, 'reports');

    const paths = await store.save(report(), {
      markdown: '# human\n',
      html: '<p>html</p>\n',
    });

    expect(paths.json).toBe(
      join(root, 'reports/audit/2026/11/29/20261129T020000000Z-abcd.json')
    );
    expect(paths.human).toBe(
      join(root, 'reports/audit/2026/11/29/20261129T020000000Z-abcd.md')
    );
    expect(paths.html).toBe(
      join(root, 'reports/audit/2026/11/29/20261129T020000000Z-abcd.html')
    );
    expect(paths.latest).toBe(join(root, 'reports/audit/latest.json'));
    expect(readFileSync(paths.human, 'utf8')).toBe('# human\n');
    expect(readFileSync(paths.html, 'utf8')).toBe('<p>html</p>\n');
    expect(readFileSync(join(root, 'reports/audit/latest.md'), 'utf8')).toBe(
      '# human\n'
    );
    expect(readFileSync(join(root, 'reports/audit/latest.html'), 'utf8')).toBe(
      '<p>html</p>\n'
    );
    expect(JSON.parse(readFileSync(paths.latest, 'utf8'))).toEqual(
      JSON.parse(readFileSync(paths.json, 'utf8'))
    );
  });

  it('refuses to write a report that breaks its own schema', async () => {
    const store = new LocalDirReportStore(dir());
    const broken = report({ runId: '' });

    await expect(
      store.save(broken, { markdown: '', html: '' })
    ).rejects.toThrow(/runId/);
  });

  it('reads earlier reports back newest first, skipping unreadable ones', async () => {
    const root = dir();
    const store = new LocalDirReportStore(root);
    await store.save(
      report({
        runId: '20261127T020000000Z-a',
        startedAt: '2026-11-27T02:00:00.000Z',
      }),
      { markdown: '', html: '' }
    );
    await store.save(
      report({
        runId: '20261129T020000000Z-c',
        startedAt: '2026-11-29T02:00:00.000Z',
      }),
      { markdown: '', html: '' }
    );
    const middle = await store.save(
      report({
        runId: '20261128T020000000Z-b',
        startedAt: '2026-11-28T02:00:00.000Z',
      }),
      { markdown: '', html: '' }
    );
    writeFileSync(
      middle.json.replace('-b.json', '-x.json'),
      '{"not":"a report"}'
    );

    const recent = await store.recent('audit', 2);
    const none = await store.recent('readiness', 5);
    const before = await store.recent('audit', 5, '20261129T020000000Z-c');

    expect(recent.map((r) => r.runId)).toEqual([
      '20261129T020000000Z-c',
      '20261128T020000000Z-b',
    ]);
    expect(none).toEqual([]);
    expect(before.map((r) => r.runId)).toEqual([
      '20261128T020000000Z-b',
      '20261127T020000000Z-a',
    ]);
  });

  it('reads one report by run id, and never a path that is not a run id', async () => {
    const root = dir();
    const store = new LocalDirReportStore(root);
    await store.save(report(), { markdown: '', html: '' });
    writeFileSync(join(root, 'audit', 'secret.json'), JSON.stringify(report()));

    const found = await store.read('audit', '20261129T020000000Z-abcd');
    const missing = await store.read('audit', '20261129T030000000Z-none');
    const escaping = await store.read('audit', '../audit/secret');

    expect(found?.runId).toBe('20261129T020000000Z-abcd');
    expect(missing).toBeNull();
    expect(escaping).toBeNull();
  });
});
