/**
 * The HTML report's sections other than findings and charts: verdicts per target, the
 * readiness checklist, replication health per policy (with failed task log excerpts),
 * metadata drift, policies and what could not be seen. Every value goes through {@link markup}.
 */
import { formatSeconds, plural } from '../../format';
import { formatExposure, statedExposure } from '../../../inventory/rpo';
import type { Report, ScopeError, TargetReport } from '../../schema';
import { markup, type Html } from './escape';

/** A verdict as a coloured badge. */
export function badge(verdict: string): Html {
  return markup`<span class="badge v-${verdict}">${verdict}</span>`;
}

/** One card per target: verdict, counts, exposure against the objective. */
export function verdictCards(report: Report): Html {
  return markup`<section id="verdicts">
    <h2>Verdict per target</h2>
    <div class="cards">
      ${report.targets.map((t) => {
        const c = t.counts;
        const exposure = statedExposure(t);
        // A lower bound over the objective is a breach too (the verdict says NOT_READY).
        const late =
          exposure.kind !== 'unknown' &&
          exposure.seconds > t.rpo.objectiveSeconds;
        return markup`<article
          class="card"
          data-target="${t.name}"
          data-verdict="${t.verdict}"
        >
          <header>
            <h3>${t.name}</h3>
            ${badge(t.verdict)}
          </header>
          <p class="muted">${t.kind} · <code>${t.url}</code></p>
          <dl class="counts">
            <div>
              <dt>expected</dt>
              <dd>${c.expected}</dd>
            </div>
            <div>
              <dt>synced</dt>
              <dd>${c.synced}</dd>
            </div>
            <div class="${c.missing > 0 ? 'bad' : ''}">
              <dt>missing</dt>
              <dd>${c.missing}</dd>
            </div>
            <div class="${c.mismatched > 0 ? 'bad' : ''}">
              <dt>mismatched</dt>
              <dd>${c.mismatched}</dd>
            </div>
            <div>
              <dt>orphaned</dt>
              <dd>${c.orphaned}</dd>
            </div>
            <div class="${c.unknown > 0 ? 'warn' : ''}">
              <dt>unknown</dt>
              <dd>${c.unknown}</dd>
            </div>
          </dl>
          <p class="${late ? 'bad' : ''}">
            Exposure <strong>${formatExposure(exposure)}</strong> (objective
            ${formatSeconds(t.rpo.objectiveSeconds)})${
              exposure.kind === 'at-least'
                ? markup`; a lower bound: ${exposure.why}`
                : null
            }${
              t.rpo.p95DelaySeconds !== null
                ? markup`; replication delay p50
                  ${formatSeconds(t.rpo.p50DelaySeconds)}, p95
                  ${formatSeconds(t.rpo.p95DelaySeconds)}`
                : null
            }
          </p>
          ${errorList(t.errors)}
        </article>`;
      })}
    </div>
  </section>`;
}

/** What could not be seen, one reason per line (each makes its scope UNKNOWN). */
export function errorList(errors: readonly ScopeError[]): Html | null {
  if (errors.length === 0) return null;
  return markup`<ul class="errors">
    ${errors.map((e) => markup`<li><code>${e.scope}</code>: ${e.message}</li>`)}
  </ul>`;
}

/** The failover readiness checklist per target (readiness reports). */
export function checklistSection(report: Report): Html | null {
  const withList = report.targets.filter((t) => t.checklist !== undefined);
  if (withList.length === 0) return null;
  return markup`<section id="checklist">
    <h2>Readiness checklist</h2>
    ${withList.map(
      (t) =>
        markup`<h3>${t.name} ${badge(t.verdict)}</h3>
          <table class="checklist" data-target="${t.name}">
            <thead>
              <tr>
                <th>status</th>
                <th>check</th>
                <th>required</th>
                <th>evidence</th>
              </tr>
            </thead>
            <tbody>
              ${(t.checklist ?? []).map(
                (c) =>
                  markup`<tr data-status="${c.status}">
                    <td>
                      <span class="status st-${c.status}">${c.status}</span>
                    </td>
                    <td>${c.title}</td>
                    <td>${c.required ? 'required' : 'advisory'}</td>
                    <td>${c.evidence}</td>
                  </tr>`
              )}
            </tbody>
          </table>`
    )}
  </section>`;
}

/** Replication health per policy and target, executions, failed tasks with log excerpts. */
export function replicationSection(report: Report): Html {
  return markup`<section id="replication">
    <h2>Replication health</h2>
    ${report.targets.map(
      (t) =>
        markup`<h3>${t.name}</h3>
          ${healthTable(t)}${retriggers(t)}${failedTasks(t)}`
    )}
  </section>`;
}

function healthTable(t: TargetReport): Html {
  const health = t.replication.health;
  if (health === undefined || health.length === 0)
    return markup`<p class="muted">
      No replication policy health recorded for this target.
    </p>`;
  return markup`<table class="health">
    <thead>
      <tr>
        <th>policy</th>
        <th>mode</th>
        <th>trigger</th>
        <th>status</th>
        <th>executions (ok / failed / stopped / running)</th>
        <th>latest execution</th>
        <th>missing / mismatched</th>
        <th>problems</th>
      </tr>
    </thead>
    <tbody>
      ${health.map((h) => {
        const e = h.executionsByStatus;
        const latest = h.latestExecution;
        return markup`<tr data-status="${h.status}" data-policy="${h.policyName}">
          <td>
            ${h.policyName}${h.enabled ? null : markup` <span class="muted">(disabled)</span>`}
          </td>
          <td>${h.mode}</td>
          <td>${h.trigger}${h.cron ? markup` <code>${h.cron}</code>` : null}</td>
          <td><span class="status st-${h.status}">${h.status}</span></td>
          <td>${e.Succeed} / ${e.Failed} / ${e.Stopped} / ${e.InProgress}</td>
          <td>
            ${
              latest
                ? markup`#${latest.id}
                  ${latest.status}${latest.startTime ? markup` <span class="muted">${latest.startTime}</span>` : null}${latest.statusText ? markup`<br /><span class="muted">${latest.statusText}</span>` : null}`
                : '—'
            }
          </td>
          <td>${h.attributable.missing} / ${h.attributable.mismatched}</td>
          <td>
            ${
              h.problems.length === 0
                ? '—'
                : markup`<ul>
                    ${h.problems.map((p) => markup`<li><strong>${p.kind}</strong>: ${p.message}</li>`)}
                  </ul>`
            }${h.retrigger ? markup`<p class="muted">re-trigger: ${h.retrigger.action} — ${h.retrigger.reason}</p>` : null}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function retriggers(t: TargetReport): Html | null {
  const list = t.replication.retriggered;
  if (list.length === 0) return null;
  return markup`<h4>Re-triggers</h4>
    <ul>
      ${list.map(
        (r) =>
          markup`<li>
            ${r.policyName}${r.dryRun ? ' (dry run)' : null}:
            <strong>${r.outcome}</strong
            >${r.executionId !== undefined ? markup` (execution ${r.executionId})` : null}
            —
            ${r.reason}${r.detail ? markup` — ${r.detail}` : null}${r.verify ? markup`; verify: ${r.verify.outcome}${r.verify.detail ? markup` (${r.verify.detail})` : null}` : null}
          </li>`
      )}
    </ul>`;
}

function failedTasks(t: TargetReport): Html | null {
  const tasks = t.replication.failedTasks;
  if (tasks.length === 0) return null;
  return markup`<h4>Failed tasks (${tasks.length})</h4>
    ${tasks.map(
      (task) =>
        markup`<details class="task">
          <summary>
            ${task.policyName} · execution ${task.executionId} task
            ${task.taskId} ·
            ${task.status}${task.operation ? markup` · ${task.operation}` : null}
            · <code>${task.srcResource}</code> →
            <code>${task.dstResource}</code>
          </summary>
          ${
            task.logExcerpt && task.logExcerpt.length > 0
              ? markup`<pre class="log">${task.logExcerpt.join('\n')}</pre>`
              : markup`<p class="muted">No log excerpt.</p>`
          }
        </details>`
    )}`;
}

/** Metadata drift per target as tables, and how far it could be compared. */
export function driftSection(report: Report): Html {
  return markup`<section id="drift">
    <h2>Metadata drift</h2>
    ${report.targets.map((t) => {
      const md = t.metadataDrift;
      return markup`<h3>${t.name}</h3>
        ${
          md
            ? markup`<p>
                  <span class="status st-${md.status}">${md.status}</span>
                  ${md.note}
                </p>
                ${
                  md.unseen.length > 0
                    ? markup`<p>Not seen:</p>
                        <ul>
                          ${md.unseen.map((u) => markup`<li>${u.category} (${u.side}): ${u.reason}</li>`)}
                        </ul>`
                    : null
                }`
            : null
        }${
          t.drift.length === 0
            ? markup`<p class="muted">${md ? 'No drift found.' : 'Not compared in this run (failover readiness runs compare metadata).'}</p>`
            : markup`<table class="drift" data-target="${t.name}">
                <thead>
                  <tr>
                    <th>severity</th>
                    <th>category</th>
                    <th>name</th>
                    <th>primary</th>
                    <th>${t.name}</th>
                  </tr>
                </thead>
                <tbody>
                  ${t.drift.map(
                    (d) =>
                      markup`<tr data-severity="${d.severity}">
                        <td>
                          <span class="status sev-${d.severity}"
                            >${d.severity}</span
                          >
                        </td>
                        <td>${d.category}</td>
                        <td>${d.name}</td>
                        <td><code>${d.primary ?? '—'}</code></td>
                        <td><code>${d.target ?? '—'}</code></td>
                      </tr>`
                  )}
                </tbody>
              </table>`
        }`;
    })}
  </section>`;
}

/** The replication policies in scope. */
export function policiesSection(report: Report): Html | null {
  if (report.policies.length === 0) return null;
  return markup`<section id="policies">
    <h2>Replication policies in scope</h2>
    <table>
      <thead>
        <tr>
          <th>policy</th>
          <th>targets</th>
          <th>expected refs</th>
          <th>warnings and errors</th>
        </tr>
      </thead>
      <tbody>
        ${report.policies.map(
          (p) =>
            markup`<tr>
              <td>${p.name}</td>
              <td>${p.targets.join(', ')}</td>
              <td>${p.expected}</td>
              <td>
                ${
                  p.errors.length + p.warnings.length === 0
                    ? '—'
                    : markup`<ul>
                        ${p.errors.map((e) => markup`<li class="bad">${e}</li>`)}${p.warnings.map((w) => markup`<li class="warn">${w}</li>`)}
                      </ul>`
                }
              </td>
            </tr>`
        )}
      </tbody>
    </table>
  </section>`;
}

/** Run-level problems: what could not be seen, a degraded report's removed values. */
export function runProblems(report: Report): Html | null {
  const degraded = report.validationErrors ?? [];
  if (report.errors.length === 0 && degraded.length === 0) return null;
  return markup`<section id="problems">
    <h2>What could not be seen</h2>
    ${errorList(report.errors)}${
      degraded.length > 0
        ? markup`<p class="bad">
              This report broke its schema when it was saved:
              ${plural(degraded.length, 'value')} removed.
            </p>
            <ul>
              ${degraded.map((v) => markup`<li><code>${v}</code></li>`)}
            </ul>`
        : null
    }
  </section>`;
}
