/**
 * The findings of every target as one filterable table: the rows travel as JSON (escaped for
 * a script element) and the page's script draws one page of them at a time, so that 10,000
 * findings filter without freezing. The script writes text only (textContent), never markup.
 */
import { plural } from '../../format';
import type { Report } from '../../schema';
import { markup, scriptJson, type Html } from './escape';

/** Rows drawn per page. */
export const FINDINGS_PAGE_SIZE = 100;

/** The JSON the page's script reads (`#findings-data`). */
export interface FindingsData {
  pageSize: number;
  states: string[];
  targets: string[];
  policies: string[];
  /**
   * [state index, target index, policy index (-1: none), repository, reference, detail,
   * expected digest, observed digest, source]
   */
  rows: [
    number,
    number,
    number,
    string,
    string,
    string,
    string,
    string,
    string,
  ][];
}

/** The table's data: the findings of every target, indexed states, targets and policies. */
export function findingsData(report: Report): FindingsData {
  const states: string[] = [];
  const policies: string[] = [];
  const index = (list: string[], value: string): number => {
    const i = list.indexOf(value);
    if (i >= 0) return i;
    list.push(value);
    return list.length - 1;
  };
  const targets = report.targets.map((t) => t.name);
  const rows: FindingsData['rows'] = [];
  report.targets.forEach((t, ti) => {
    for (const f of t.findings) {
      const source = f.source
        ? `${f.source.repository}:${f.source.reference}${f.source.pushTime ? ` (pushed ${f.source.pushTime})` : ''}`
        : '';
      const detail = [
        f.detail ?? '',
        f.cannotRun ? `cannot run: ${f.cannotRun}` : '',
        f.missingDigests && f.missingDigests.length > 0
          ? `missing ${plural(f.missingDigests.length, 'child or accessory', 'children or accessories')}`
          : '',
      ]
        .filter((d) => d !== '')
        .join(' · ');
      rows.push([
        index(states, f.state),
        ti,
        f.policy ? index(policies, f.policy.name) : -1,
        f.repository,
        f.reference,
        detail,
        f.expectedDigest ?? '',
        f.observedDigest ?? '',
        source,
      ]);
    }
  });
  return { pageSize: FINDINGS_PAGE_SIZE, states, targets, policies, rows };
}

/** The findings section: filters, the count, the table the script fills, its data. */
export function findingsSection(report: Report): Html {
  const data = findingsData(report);
  const total = data.rows.length;
  const options = (list: readonly string[]) =>
    list.map((name, i) => markup`<option value="${i}">${name}</option>`);
  return markup`<section id="findings">
    <h2>Findings</h2>
    <p class="muted">
      Every finding but <em>synced</em> (those are counted per target above).
    </p>
    <form class="filters" id="findings-filters" autocomplete="off">
      <label
        >Search
        <input
          type="search"
          id="f-search"
          placeholder="repository, tag, digest, policy, detail"
      /></label>
      <label
        >State
        <select id="f-state">
          <option value="">all states</option>
          ${options(data.states)}
        </select></label
      >
      <label
        >Target
        <select id="f-target">
          <option value="">all targets</option>
          ${options(data.targets)}
        </select></label
      >
      <label
        >Policy
        <select id="f-policy">
          <option value="">all policies</option>
          <option value="-1">(no policy)</option>
          ${options(data.policies)}
        </select></label
      >
    </form>
    <p id="findings-count" data-total="${total}" data-matching="${total}">
      ${plural(total, 'finding')}
    </p>
    <table class="findings">
      <thead>
        <tr>
          <th>state</th>
          <th>target</th>
          <th>destination</th>
          <th>policy</th>
          <th>digests (expected → found)</th>
          <th>source</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody id="findings-body"></tbody>
    </table>
    <p class="pager">
      <button type="button" id="f-prev">← previous</button>
      <span id="f-page"></span>
      <button type="button" id="f-next">next →</button>
    </p>
    <noscript
      ><p class="warn">
        The findings table needs JavaScript; the JSON report holds every
        finding.
      </p></noscript
    >
    ${scriptJson('findings-data', data)}
  </section>`;
}
