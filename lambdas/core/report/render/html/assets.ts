/**
 * The page's own CSS and script: constants (nothing from a report), inlined, allowed by the
 * page's Content-Security-Policy through their hashes only (so no inline handler or injected
 * script could run, even if some markup escaped the template).
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root{--fg:#1d2329;--muted:#5b6670;--bg:#fff;--alt:#f4f6f8;--line:#d7dde3;--ready:#1e8e3e;--degraded:#d9820b;--notready:#c5221f;--unknown:#6f42c1}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top{padding:16px 24px;background:#17202a;color:#fff}
header.top h1{margin:0 0 4px;font-size:20px}
header.top p{margin:0;color:#c9d1d9}
header.top code{background:#2d3b48;color:#fff}
nav{position:sticky;top:0;z-index:2;background:var(--alt);border-bottom:1px solid var(--line);padding:6px 24px}
nav a{margin-right:14px;color:#0b57d0;text-decoration:none}
main{padding:8px 24px 40px;max-width:1400px}
h2{margin:28px 0 8px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:18px 0 6px;font-size:15px}
h4{margin:12px 0 4px;font-size:14px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:var(--alt);padding:0 3px;border-radius:3px;word-break:break-all}
.muted{color:var(--muted)}
.bad{color:var(--notready)}
.warn{color:var(--degraded)}
.badge{white-space:nowrap;display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px;vertical-align:middle}
.v-READY{background:var(--ready);fill:var(--ready)}
.v-DEGRADED{background:var(--degraded);fill:var(--degraded)}
.v-NOT_READY{background:var(--notready);fill:var(--notready)}
.v-UNKNOWN{background:var(--unknown);fill:var(--unknown)}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:280px;flex:1 1 300px;max-width:460px}
.card header{display:flex;justify-content:space-between;align-items:center;gap:8px}
.card h3{margin:0;word-break:break-all}
.counts{display:grid;grid-template-columns:repeat(6,1fr);gap:4px;margin:8px 0}
.counts div{background:var(--alt);border-radius:4px;padding:2px 4px;text-align:center}
.counts dt{font-size:11px;color:var(--muted)}
.counts dd{margin:0;font-weight:600}
.counts .bad dd{color:var(--notready)}
.counts .warn dd{color:var(--unknown)}
ul.errors{margin:4px 0;padding-left:18px;color:var(--unknown)}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--alt);font-weight:600}
td ul{margin:0;padding-left:16px}
td{word-break:break-word}
.status{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600;background:var(--alt);white-space:nowrap}
table.drift td:nth-child(2),table.drift td:nth-child(3){min-width:9em}
table.checklist td:nth-child(2){min-width:14em}
.st-pass,.st-healthy,.st-compared,.st-synced{color:var(--ready)}
.st-warn,.st-partial,.sev-warning,.st-orphaned,.st-unexpected{color:var(--degraded)}
.st-fail,.st-problem,.sev-critical,.st-missing,.st-mismatched,.st-collision{color:var(--notready)}
.st-unknown{color:var(--unknown)}
.sev-info,.st-not-applicable{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.charts>div{flex:1 1 560px;min-width:0}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
figure.chart h3{margin:0 0 4px}
figure.chart svg{width:100%;height:auto;display:block}
svg .axis{font-size:11px;fill:var(--muted)}
svg .grid{stroke:var(--line);stroke-width:1}
svg .objective{stroke:var(--notready);stroke-dasharray:5 4;stroke-width:1}
svg .objective-label{fill:var(--notready)}
svg .line{fill:none;stroke-width:2}
svg circle.point{stroke:#fff;stroke-width:1}
svg rect.unknown{fill:#fff;stroke-width:2}
.legend{display:inline-flex;flex-wrap:wrap;gap:10px;list-style:none;margin:4px 12px 0 0;padding:0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.s0{stroke:#1a73e8;fill:#1a73e8;background:#1a73e8}
.s1{stroke:#e8710a;fill:#e8710a;background:#e8710a}
.s2{stroke:#12b5cb;fill:#12b5cb;background:#12b5cb}
.s3{stroke:#9334e6;fill:#9334e6;background:#9334e6}
.s4{stroke:#188038;fill:#188038;background:#188038}
.s5{stroke:#d01884;fill:#d01884;background:#d01884}
.s6{stroke:#795548;fill:#795548;background:#795548}
.s7{stroke:#5f6368;fill:#5f6368;background:#5f6368}
svg rect.unknown.s0,svg rect.unknown.s1,svg rect.unknown.s2,svg rect.unknown.s3,svg rect.unknown.s4,svg rect.unknown.s5,svg rect.unknown.s6,svg rect.unknown.s7{fill:#fff}
.note{color:var(--muted);font-size:12px}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
form.filters input{width:320px}
form.filters input,form.filters select{font:inherit;padding:3px 6px;max-width:320px}
#findings-count{font-weight:600}
table.findings td:nth-child(5){font-family:ui-monospace,monospace;font-size:12px}
table.findings td:nth-child(2){white-space:nowrap}
.pager button{font:inherit}
details.task{border:1px solid var(--line);border-radius:4px;margin:4px 0;padding:4px 8px}
details.task summary{cursor:pointer}
pre.log{background:#0f1720;color:#e6edf3;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all}
footer{color:var(--muted);font-size:12px;padding:12px 24px;border-top:1px solid var(--line)}
`;

/**
 * Filters and pages the findings: reads `#findings-data`, keeps the indices that match the
 * search and the three selects, draws one page of rows with textContent only.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var el = function (id) { return document.getElementById(id); };
  var source = el('findings-data');
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var rows = data.rows;
  var size = data.pageSize;
  var hay = rows.map(function (r) {
    return [r[3] + ':' + r[4], data.policies[r[2]] || '', r[5], r[6], r[7], r[8], r[3], r[4]]
      .join('\\n').toLowerCase();
  });
  var search = el('f-search'), state = el('f-state'), target = el('f-target'),
    policy = el('f-policy'), body = el('findings-body'), count = el('findings-count'),
    prev = el('f-prev'), next = el('f-next'), pageLabel = el('f-page');
  var matching = [], page = 0;
  function pick(select) { return select.value === '' ? null : Number(select.value); }
  function filter() {
    var q = search.value.trim().toLowerCase();
    var s = pick(state), t = pick(target), p = pick(policy);
    matching = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (s !== null && r[0] !== s) continue;
      if (t !== null && r[1] !== t) continue;
      if (p !== null && r[2] !== p) continue;
      if (q !== '' && hay[i].indexOf(q) < 0) continue;
      matching.push(i);
    }
    page = 0;
    count.dataset.query = search.value;
    draw();
  }
  function cell(tr, text, cls, title) {
    var td = document.createElement('td');
    if (cls) {
      var span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      td.appendChild(span);
    } else td.textContent = text;
    if (title) td.title = title;
    tr.appendChild(td);
  }
  function short(d) { return d === '' ? '—' : d.slice(0, 19); }
  function draw() {
    var pages = Math.max(1, Math.ceil(matching.length / size));
    if (page >= pages) page = pages - 1;
    var from = page * size, to = Math.min(matching.length, from + size);
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) {
      var r = rows[matching[k]];
      var tr = document.createElement('tr');
      var st = data.states[r[0]];
      tr.className = 'finding';
      cell(tr, st, 'status st-' + st.replace(/[^a-z-]/g, ''));
      cell(tr, data.targets[r[1]]);
      cell(tr, r[3] + ':' + r[4]);
      cell(tr, r[2] < 0 ? '—' : data.policies[r[2]]);
      cell(tr, short(r[6]) + ' → ' + short(r[7]), null, r[6] + ' → ' + r[7]);
      cell(tr, r[8] || '—');
      cell(tr, r[5] || '—');
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    count.dataset.matching = String(matching.length);
    count.dataset.shown = String(to - from);
    count.textContent = matching.length === rows.length
      ? rows.length + (rows.length === 1 ? ' finding' : ' findings')
      : matching.length + ' of ' + rows.length + ' findings match';
    pageLabel.textContent = matching.length === 0 ? '' : 'rows ' + (from + 1) + '–' + to + ', page ' + (page + 1) + ' of ' + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  var timer = 0;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(filter, 120);
  });
  [state, target, policy].forEach(function (s) { s.addEventListener('change', filter); });
  el('findings-filters').addEventListener('submit', function (e) { e.preventDefault(); filter(); });
  prev.addEventListener('click', function () { page--; draw(); });
  next.addEventListener('click', function () { page++; draw(); });
  filter();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Nothing is fetched at view time (`default-src 'none'`), and only this module's style and
 * script run.
 */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; base-uri 'none'; form-action 'none'`;
