/**
 * The HTML report in a real browser (issue 16): headless Debian Chromium driven by
 * playwright-core opens the report of the demo lab after a few audits, and a synthetic report
 * of 10,000 findings with hostile names. Fails (never skips) when Chromium is missing:
 * `.ci/run` installs it (Debian package chromium).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  chromium,
  type Browser,
  type Locator,
  type Page,
} from 'playwright-core';
import { LocalDirReportStore } from '../../../lambdas/adapters/report-store/local-dir-store';
import { createCredentialsResolver } from '../../../lambdas/adapters/secrets/credentials';
import { runCli } from '../../../lambdas/cli/program';
import {
  renderHtml,
  summarizeRun,
} from '../../../lambdas/core/report/render/html';
import type { Finding, Report } from '../../../lambdas/core/report/schema';
import { runAuditJob } from '../../../lambdas/use-cases/audit-job';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { startDemoLab, type DemoLab } from '../../../lab/index';
import { applyAction } from '../../../lab/scenarios/apply';
import { actionSchema } from '../../../lab/scenarios/schema';
import {
  report as reportFixture,
  targetReport,
} from '../../helpers/report-fixture';

// A browser on a shared, slow machine: each test opens a page and screenshots it.
jest.setTimeout(90_000);

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = resolve(
  process.env.HARBOR_DR_SCREENSHOTS ?? 'test-output/screenshots'
);
/** Audits of the demo lab: the history the charts must show, one point per run. */
const RUNS = 4;
const INJECTED_TAG = '<img src=x onerror=alert(1)>';

/** What the page's findings filter matches for a search, computed from the report. */
function searchMatches(f: Finding, q: string): boolean {
  const fields = [
    `${f.repository}:${f.reference}`,
    f.policy?.name ?? '',
    f.detail ?? '',
    f.cannotRun ?? '',
    f.expectedDigest ?? '',
    f.observedDigest ?? '',
    f.source ? `${f.source.repository}:${f.source.reference}` : '',
  ];
  return fields.some((x) => x.toLowerCase().includes(q.toLowerCase()));
}

function allFindings(r: Report): Finding[] {
  return r.targets.flatMap((t) => t.findings);
}

async function matchingCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('#findings-count', 'data-matching'));
}

async function rowCount(page: Page): Promise<number> {
  return page.locator('#findings-body tr').count();
}

/** An attribute of every element a locator finds, in document order. */
async function attributes(
  locator: Locator,
  name: string
): Promise<(string | null)[]> {
  const values: (string | null)[] = [];
  for (let i = 0; i < (await locator.count()); i++)
    values.push(await locator.nth(i).getAttribute(name));
  return values;
}

/** Waits until the debounced search has filtered. */
async function search(page: Page, q: string): Promise<void> {
  await page.fill('#f-search', q);
  // The page's CSP forbids evaluating strings: wait on the attribute its script sets.
  await page
    .locator(`#findings-count[data-query=${JSON.stringify(q)}]`)
    .waitFor({ timeout: 5_000 });
}

describe('the HTML report in Chromium', () => {
  let browser: Browser | undefined;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  /**
   * Opens a report. `bypassCSP` switches the page's Content-Security-Policy off, so that an
   * escaping bug would run its script (a dialog) instead of being blocked by the CSP.
   */
  const open = async (file: string, bypassCSP = false): Promise<Page> => {
    if (!browser) throw new Error('Chromium did not start');
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
      bypassCSP,
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`file://${file}`);
    await page.waitForSelector('#findings-count[data-shown]');
    return page;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is required at ${CHROMIUM} (Debian package chromium; .ci/run installs it)`
      );
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe('the demo lab after several audits', () => {
    let lab: DemoLab | undefined;
    let dir = '';
    const reports: Report[] = [];
    let htmlFile = '';
    let injectedFile = '';
    let lastJson = '';

    beforeAll(async () => {
      if (!existsSync('/usr/bin/docker-registry'))
        throw new Error(
          'docker-registry is required at /usr/bin/docker-registry'
        );
      lab = await startDemoLab();
      dir = mkdtempSync(join(tmpdir(), 'report-html-'));
      const { configPath } = lab.writeConfig(join(dir, 'lab'));
      const harbor = (name: string) => {
        const h = lab?.harbors.find((x) => x.name === name);
        if (!h) throw new Error(name);
        return h;
      };
      const act = async (raw: unknown) =>
        applyAction(
          actionSchema.parse(raw),
          (n) => harbor(n).harbor,
          (n) => harbor(n).admin,
          (ms) => lab?.clock.advance(ms)
        );
      for (let i = 0; i < RUNS; i++) {
        if (i === 2) {
          // A push that the event rule to cluster-2 carries: the history changes.
          await act({
            type: 'push',
            harbor: 'harbor-primary',
            repository: 'library/busybox',
            image: { tags: ['1.37'], seed: 'busybox-1.37' },
          });
          await act({
            type: 'run-policy',
            harbor: 'harbor-primary',
            policy: 'to-cluster-2',
          });
        }
        const clock = lab.clock;
        const result = await runAuditJob(
          {
            store: new LocalDirReportStore(join(dir, 'reports')),
            // The lab's time: runs 20 minutes apart, exposure growing with it.
            clock,
            resolveCredentials: createCredentialsResolver(),
          },
          {
            config: loadConfigFile(configPath),
            toolVersion: 'test',
            deadline: new Date(clock.now().getTime() + 120_000),
            concurrency: 4,
          }
        );
        reports.push(result.report);
        lastJson = result.locations.json;
        // Time passes on the lab between runs: exposure grows.
        await act({ type: 'advance-clock', seconds: 1_200 });
      }
      htmlFile = join(dir, 'report.html');
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(
        [
          'report',
          '--html',
          '--dir',
          join(dir, 'reports'),
          '--output',
          htmlFile,
        ],
        { out: (s) => out.push(s), err: (s) => err.push(s) },
        'test'
      );
      if (code !== 0)
        throw new Error(`report --html exited ${code}: ${err.join('')}`);
      // Harbor and the registry refuse such a tag; a hostile or broken target registry's tag
      // list need not: the last report gets one, as an unexpected ref on cluster-1.
      const lastRun = reports[RUNS - 1];
      const cluster1 = lastRun?.targets.find((t) => t.name === 'cluster-1');
      if (!lastRun || !cluster1) throw new Error('no last report of cluster-1');
      cluster1.findings.push({
        state: 'unexpected',
        target: 'cluster-1',
        repository: 'library/nginx',
        reference: INJECTED_TAG,
        observedDigest: `sha256:${'e'.repeat(64)}`,
        detail: 'no policy expects this ref',
      });
      writeFileSync(lastJson, JSON.stringify(lastRun));
      injectedFile = join(dir, 'injected.html');
      expect(
        await runCli(
          [
            'report',
            '--html',
            '--dir',
            join(dir, 'reports'),
            '--run',
            lastRun.runId,
            '--output',
            injectedFile,
          ],
          { out: (s) => out.push(s), err: (s) => err.push(s) },
          'test'
        )
      ).toBe(0);
    }, 600_000);

    afterAll(async () => {
      await lab?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const last = (): Report => {
      const r = reports[reports.length - 1];
      if (!r) throw new Error('no report');
      return r;
    };

    it('renders the same page as the latest.html the audit stored', () => {
      expect(readFileSync(htmlFile, 'utf8')).toBe(
        readFileSync(join(dir, 'reports', 'audit', 'latest.html'), 'utf8')
      );
    });

    it('shows every finding, and filters by state, target, policy and search to the counts the report holds', async () => {
      const page = await open(injectedFile);
      const findings = allFindings(last());
      await page.screenshot({
        path: join(SCREENSHOTS, 'demo-report.png'),
        fullPage: true,
      });
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-top.png') });

      expect(findings.length).toBeGreaterThan(3);
      expect(await matchingCount(page)).toBe(findings.length);
      expect(await rowCount(page)).toBe(Math.min(100, findings.length));

      await page.selectOption('#f-state', { label: 'missing' });
      const missing = findings.filter((f) => f.state === 'missing');
      expect(missing.length).toBeGreaterThan(0);
      expect(await matchingCount(page)).toBe(missing.length);
      expect(await rowCount(page)).toBe(missing.length);

      await page.selectOption('#f-target', { label: 'cluster-1' });
      expect(await matchingCount(page)).toBe(
        missing.filter((f) => f.target === 'cluster-1').length
      );

      await page.selectOption('#f-state', { value: '' });
      await page.selectOption('#f-target', { value: '' });
      await page.selectOption('#f-policy', { label: 'to-dr' });
      expect(await matchingCount(page)).toBe(
        findings.filter((f) => f.policy?.name === 'to-dr').length
      );
      await page.selectOption('#f-policy', { value: '' });

      await search(page, 'busybox');
      const busybox = findings.filter((f) => searchMatches(f, 'busybox'));
      expect(await matchingCount(page)).toBe(busybox.length);
      expect(await rowCount(page)).toBe(busybox.length);

      await search(page, 'onerror');
      const injected = findings.filter((f) => f.reference === INJECTED_TAG);
      expect(injected.length).toBeGreaterThan(0);
      expect(await matchingCount(page)).toBe(
        findings.filter((f) => searchMatches(f, 'onerror')).length
      );
      await page
        .locator('#findings')
        .screenshot({ path: join(SCREENSHOTS, 'demo-findings-injected.png') });
      // The tag is text in its cell: no element was made of it, nothing ran.
      const cells = await page
        .locator('#findings-body td:nth-child(3)')
        .allTextContents();
      expect(cells).toContain(`library/nginx:${INJECTED_TAG}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    });

    it('draws exposure and verdicts with one point per stored run', async () => {
      const page = await open(htmlFile);
      const runIds = reports.map((r) => r.runId);
      const targets = last().targets.map((t) => t.name);

      expect(await page.getAttribute('#chart-exposure', 'data-runs')).toBe(
        String(RUNS)
      );
      for (const name of targets) {
        const series = page.locator(
          `#chart-exposure g.series[data-target="${name}"] .point`
        );
        expect(await series.count()).toBe(RUNS);
        expect(await attributes(series, 'data-run')).toEqual(runIds);
        const cells = page.locator(
          `#chart-verdicts g.verdict-row[data-target="${name}"] rect.point`
        );
        expect(await cells.count()).toBe(RUNS);
        // The cells carry the verdicts the reports gave, oldest first.
        expect(await attributes(cells, 'class')).toEqual(
          reports.map(
            (r) =>
              `point verdict v-${r.targets.find((t) => t.name === name)?.verdict}`
          )
        );
      }
      // Known exposures are circles on a line; each chart is visible.
      expect(
        await page.locator('#chart-exposure polyline').count()
      ).toBeGreaterThan(0);
      await page
        .locator('#history')
        .screenshot({ path: join(SCREENSHOTS, 'demo-history.png') });
      expect(dialogs).toEqual([]);
      await page.close();
    });
  });

  describe('a synthetic report of 10,000 findings with hostile names', () => {
    let dir = '';
    let file = '';
    const HOSTILE_POLICY = '</script><script>alert(2)</script>';
    const HOSTILE_TARGET = '"><svg onload=alert(3)>';
    const HOSTILE_LOG =
      '<iframe src="javascript:alert(4)"></iframe>\u2028<b>bold</b>';

    const big = (): Report => {
      const D = (n: number): string =>
        `sha256:${n.toString(16).padStart(64, '0')}`;
      const states = [
        'missing',
        'digest-mismatch',
        'unknown',
        'orphaned',
      ] as const;
      const findings = (target: string): Finding[] =>
        Array.from({ length: 5_000 }, (_, i) => ({
          state: states[i % states.length] ?? 'missing',
          target,
          repository: `team-${i % 7}/app-${i % 50}`,
          reference: i === 42 ? INJECTED_TAG : `v${i}`,
          expectedDigest: D(i + 1),
          policy: {
            id: i % 3,
            name: i % 3 === 0 ? HOSTILE_POLICY : `policy-${i % 3}`,
            override: false,
            deletion: false,
          },
          detail: i % 10 === 0 ? 'needle in the detail' : 'not there',
        }));
      return reportFixture({
        verdict: 'NOT_READY',
        policies: [
          {
            id: 0,
            name: HOSTILE_POLICY,
            targets: [HOSTILE_TARGET],
            expected: 1,
            warnings: [],
            errors: [],
          },
        ],
        targets: [
          targetReport({
            name: HOSTILE_TARGET,
            verdict: 'NOT_READY',
            findings: findings(HOSTILE_TARGET),
            replication: {
              executions: [],
              failedTasks: [
                {
                  policyName: HOSTILE_POLICY,
                  executionId: 1,
                  taskId: 2,
                  status: 'Failed',
                  srcResource: 'library/nginx',
                  dstResource: 'library/nginx',
                  logExcerpt: [HOSTILE_LOG, 'second line'],
                },
              ],
              retriggered: [],
            },
            drift: [
              {
                category: 'users',
                name: HOSTILE_TARGET,
                severity: 'critical',
                primary: HOSTILE_LOG,
              },
            ],
          }),
          targetReport({
            name: 'cluster-2',
            verdict: 'DEGRADED',
            findings: findings('cluster-2'),
          }),
        ],
      });
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'report-html-big-'));
      file = join(dir, 'big.html');
      const r = big();
      const history = Array.from({ length: 35 }, (_, i) =>
        summarizeRun(
          reportFixture({
            runId: `202611${String(10 + Math.floor(i / 24)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}0000000Z-h${i}`,
            startedAt: `2026-11-${String(10 + Math.floor(i / 24)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
            verdict: i % 5 === 0 ? 'UNKNOWN' : 'DEGRADED',
            targets: [
              targetReport({
                name: HOSTILE_TARGET,
                verdict: i % 5 === 0 ? 'UNKNOWN' : 'DEGRADED',
                rpo: {
                  ...targetReport().rpo,
                  estimateSeconds: i % 5 === 0 ? null : i * 300,
                },
              }),
              targetReport({ name: 'cluster-2', verdict: 'READY' }),
            ],
          })
        )
      );
      writeFileSync(file, renderHtml(r, history));
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('filters 10,000 findings without freezing, drawing one page of rows', async () => {
      const page = await open(file);
      expect(await matchingCount(page)).toBe(10_000);
      expect(await rowCount(page)).toBe(100);

      const started = Date.now();
      await page.selectOption('#f-state', { label: 'missing' });
      await search(page, 'needle');
      const elapsed = Date.now() - started;
      const expected = allFindings(big()).filter(
        (f) => f.state === 'missing' && searchMatches(f, 'needle')
      ).length;
      expect(expected).toBe(500);
      expect(await matchingCount(page)).toBe(expected);
      expect(await rowCount(page)).toBe(Math.min(100, expected));
      expect(elapsed).toBeLessThan(3_000);
      // 30 earlier runs at most, then this one.
      expect(await page.getAttribute('#chart-exposure', 'data-runs')).toBe(
        '31'
      );
      expect(
        await page
          .locator('#chart-verdicts g.verdict-row[data-target="overall"] rect')
          .count()
      ).toBe(31);

      await page.click('#f-next');
      expect(await page.textContent('#f-page')).toMatch(/^rows 101–/);
      await page.screenshot({ path: join(SCREENSHOTS, 'big-report.png') });
      await page.close();
    });

    it('keeps every hostile name text: no element made of it, no script run', async () => {
      // Without the CSP's safety net: escaping alone must keep every name text.
      const page = await open(file, true);
      await page.locator('details.task summary').first().click();
      await page.screenshot({
        path: join(SCREENSHOTS, 'big-hostile.png'),
        fullPage: true,
      });

      expect(
        await page.locator('img, iframe, svg [onload], svg[onload], b').count()
      ).toBe(0);
      expect(await page.locator('script').count()).toBe(2);
      expect(await page.textContent('pre.log')).toBe(
        `${HOSTILE_LOG}\nsecond line`
      );
      expect(await page.locator('.card h3').first().textContent()).toBe(
        HOSTILE_TARGET
      );
      expect(
        await page.locator('#f-policy option').allTextContents()
      ).toContain(HOSTILE_POLICY);
      await search(page, 'onerror');
      expect(
        await page
          .locator('#findings-body td:nth-child(3)')
          .first()
          .textContent()
      ).toBe(`team-0/app-42:${INJECTED_TAG}`);
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });
});
