/**
 * The history charts, hand-written inline SVG (no library, nothing fetched): exposure per
 * target as lines over the runs, and verdicts per target as a strip of one cell per run.
 * Every marker carries `data-run` (its run id), so a reader (or a test) can count the runs.
 */
import { formatSeconds } from '../../format';
import type { Verdict } from '../../schema';
import { markup, join, type Html } from './escape';
import type { RunSummary } from './history';

const W = 760;
const H = 220;
const LEFT = 64;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 34;
/** Series colours are CSS classes s0…s7 (no inline styles: the page's CSP forbids them). */
const SERIES_CLASSES = 8;

/** Target names in first-seen order over the runs. */
export function seriesNames(runs: readonly RunSummary[]): string[] {
  const names: string[] = [];
  for (const run of runs)
    for (const t of run.targets)
      if (!names.includes(t.name)) names.push(t.name);
  return names;
}

/** Tick steps a reader takes in at a glance: seconds to weeks. */
const NICE_STEPS = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
  43200, 86400, 172800, 604800,
];

/** The smallest nice step that covers `max` in at most five ticks. */
function niceStep(max: number): number {
  for (const step of NICE_STEPS) if (max / step <= 5) return step;
  return Math.ceil(max / 5 / 604800) * 604800;
}

function xOf(i: number, n: number): number {
  const plot = W - LEFT - RIGHT;
  return n <= 1 ? LEFT + plot / 2 : LEFT + (i * plot) / (n - 1);
}

function round(n: number): string {
  return n.toFixed(1);
}

function dateOf(run: RunSummary): string {
  return run.startedAt.slice(0, 16).replace('T', ' ');
}

function xLabels(runs: readonly RunSummary[]): Html {
  const n = runs.length;
  const picks = [...new Set([0, Math.floor((n - 1) / 2), n - 1])].filter(
    (i) => i >= 0
  );
  return join(
    picks.map((i) => {
      const run = runs[i];
      if (!run) return null;
      const anchor =
        n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
      return markup`<text
        class="axis"
        x="${round(xOf(i, n))}"
        y="${H - 10}"
        text-anchor="${anchor}"
        >${dateOf(run)}</text
      >`;
    })
  );
}

/**
 * Exposure (the RPO estimate) per target over the runs: one line per target, one marker per
 * run that saw the target (a circle when the exposure is known, a hollow square on the top
 * edge when it is not), the objective as a dashed line.
 */
export function exposureChart(
  runs: readonly RunSummary[],
  objectiveSeconds: number
): Html {
  const names = seriesNames(runs);
  const n = runs.length;
  const values = runs.flatMap((r) =>
    r.targets.map((t) => t.estimateSeconds ?? 0)
  );
  const step = niceStep(Math.max(1, objectiveSeconds, ...values));
  const top =
    Math.max(1, Math.ceil(Math.max(1, objectiveSeconds, ...values) / step)) *
    step;
  const max = top * 1.08;
  const plotH = H - TOP - BOTTOM;
  const yOf = (v: number): number => TOP + plotH - (v / max) * plotH;
  const ticks = Array.from(
    { length: Math.round(top / step) + 1 },
    (_, i) => i * step
  );
  const series = names.map((name, s) => {
    const cls = `s${s % SERIES_CLASSES}`;
    const segments: string[][] = [[]];
    const markers: Html[] = [];
    runs.forEach((run, i) => {
      const t = run.targets.find((x) => x.name === name);
      const x = xOf(i, n);
      if (t?.estimateSeconds == null) {
        segments.push([]);
        if (t)
          markers.push(
            markup`<rect
              class="point unknown ${cls}"
              data-run="${run.runId}"
              data-target="${name}"
              x="${round(x - 4)}"
              y="${TOP - 4}"
              width="8"
              height="8"
              ><title>
                ${name} — ${dateOf(run)}: exposure
                ${
                  t.estimateAtLeastSeconds !== undefined
                    ? `≥ ${formatSeconds(t.estimateAtLeastSeconds)}, not known exactly`
                    : 'unknown'
                }
                (${t.verdict})
              </title></rect
            >`
          );
        return;
      }
      const y = yOf(t.estimateSeconds);
      segments[segments.length - 1]?.push(`${round(x)},${round(y)}`);
      markers.push(
        markup`<circle
          class="point ${cls}"
          data-run="${run.runId}"
          data-target="${name}"
          cx="${round(x)}"
          cy="${round(y)}"
          r="4"
          ><title>
            ${name} — ${dateOf(run)}: ${formatSeconds(t.estimateSeconds)}
            (${t.verdict})
          </title></circle
        >`
      );
    });
    const lines = segments
      .filter((seg) => seg.length > 1)
      .map(
        (seg) =>
          markup`<polyline
            class="line ${cls}"
            points="${seg.join(' ')}"
          ></polyline>`
      );
    return markup`<g class="series" data-target="${name}">${lines}${markers}</g>`;
  });
  const grid = ticks.map(
    (v) =>
      markup`<line
          class="grid"
          x1="${LEFT}"
          x2="${W - RIGHT}"
          y1="${round(yOf(v))}"
          y2="${round(yOf(v))}"
        ></line
        ><text
          class="axis"
          x="${LEFT - 6}"
          y="${round(yOf(v) + 4)}"
          text-anchor="end"
          >${formatSeconds(v)}</text
        >`
  );
  const objective =
    objectiveSeconds > 0
      ? markup`<line
            class="objective"
            x1="${LEFT}"
            x2="${W - RIGHT}"
            y1="${round(yOf(objectiveSeconds))}"
            y2="${round(yOf(objectiveSeconds))}"
          ></line
          ><text
            class="axis objective-label"
            x="${W - RIGHT}"
            y="${round(yOf(objectiveSeconds) - 4)}"
            text-anchor="end"
            >objective ${formatSeconds(objectiveSeconds)}</text
          >`
      : null;
  return markup`<figure class="chart" id="chart-exposure" data-runs="${n}">
    <svg
      viewBox="0 0 ${W} ${H}"
      role="img"
      aria-label="Exposure per target over the last ${n} runs"
    >
      ${grid}${objective}${series}${xLabels(runs)}
    </svg>
    <figcaption>
      ${legend(names)}<span class="note"
        >Exposure (now − oldest unsynced push) per run; a hollow square on top:
        not known that run.</span
      >
    </figcaption>
  </figure>`;
}

function legend(names: readonly string[]): Html {
  return markup`<ul class="legend">
    ${names.map(
      (name, s) =>
        markup`<li>
          <span class="swatch s${s % SERIES_CLASSES}"></span>${name}
        </li>`
    )}
  </ul>`;
}

const VERDICT_ORDER: readonly Verdict[] = [
  'READY',
  'DEGRADED',
  'UNKNOWN',
  'NOT_READY',
];

/**
 * Verdicts over the runs: a row for the run's overall verdict, then one per target, one cell
 * per run that saw the target, coloured by verdict.
 */
export function verdictChart(runs: readonly RunSummary[]): Html {
  const names = seriesNames(runs);
  const n = runs.length;
  const rowH = 22;
  const labelW = 150;
  const plot = W - labelW - RIGHT;
  const cellW = Math.max(2, Math.min(72, plot / Math.max(1, n)));
  const rows: { label: string; cells: (Verdict | null)[] }[] = [
    { label: 'overall', cells: runs.map((r) => r.verdict) },
    ...names.map((name) => ({
      label: name,
      cells: runs.map(
        (r) => r.targets.find((t) => t.name === name)?.verdict ?? null
      ),
    })),
  ];
  const height = TOP + rows.length * rowH + BOTTOM;
  const first = runs[0];
  const last = runs[n - 1];
  const dates =
    first && last
      ? markup`<text class="axis" x="${labelW}" y="${height - 10}" text-anchor="start">${dateOf(first)}</text>${
          n > 1
            ? markup`<text class="axis" x="${round(labelW + n * cellW)}" y="${height - 10}" text-anchor="end">${dateOf(last)}</text>`
            : null
        }`
      : null;
  const body = rows.map((row, j) => {
    const y = TOP + j * rowH;
    const cells = row.cells.map((verdict, i) => {
      const run = runs[i];
      if (verdict === null || !run) return null;
      return markup`<rect
        class="point verdict v-${verdict}"
        data-run="${run.runId}"
        data-target="${row.label}"
        x="${round(labelW + i * cellW + 1)}"
        y="${y + 2}"
        width="${round(cellW - 2)}"
        height="${rowH - 4}"
        ><title>${row.label} — ${dateOf(run)}: ${verdict}</title></rect
      >`;
    });
    return markup`<g class="verdict-row" data-target="${row.label}"
      ><text
        class="axis label"
        x="${labelW - 8}"
        y="${y + rowH / 2 + 4}"
        text-anchor="end"
        >${truncate(row.label, 22)}</text
      >${cells}</g
    >`;
  });
  return markup`<figure class="chart" id="chart-verdicts" data-runs="${n}">
    <svg
      viewBox="0 0 ${W} ${height}"
      role="img"
      aria-label="Verdicts over the last ${n} runs"
    >
      ${body}${dates}
    </svg>
    <figcaption>
      <ul class="legend">
        ${VERDICT_ORDER.map(
          (v) => markup`<li><span class="swatch v-${v}"></span>${v}</li>`
        )}
      </ul>
      <span class="note">One cell per run, oldest on the left.</span>
    </figcaption>
  </figure>`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
