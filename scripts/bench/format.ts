import type { BenchResults } from './results';

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) =>
  x.toLocaleString('en-US', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
const pct = (x: number) => `${Math.round(x * 100).toString()}%`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) =>
    Math.max(...rows.map((r) => (r[i] ?? '').length))
  );
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          i === 0
            ? cell.padEnd(widths?.[i] ?? 0)
            : cell.padStart(widths?.[i] ?? 0)
        )
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

/** The results as a text report for people (also written to .bench/results.txt). */
export function formatResults(r: BenchResults): string {
  const lines: string[] = [];
  const e = r.environment;
  lines.push(
    `harbor-dr bench, ${r.startedAt}: node ${e.node}, ${e.cpus.toString()} CPUs, ` +
      `load ${e.loadAtStart.toString()} at start / ${e.loadAtEnd.toString()} at end, ` +
      `${e.registryVersion}, audit concurrency ${r.concurrency.toString()}${r.adaptive ? ' (registry: adaptive up to it)' : ''}, ` +
      `link to docker-registry: ${r.link.rttMs === 0 && r.link.jitterMs === 0 ? 'loopback' : `${r.link.rttMs.toString()} ms RTT ± ${r.link.jitterMs.toString()} ms (latency proxy)`}`
  );
  const d = r.dataSet;
  lines.push(
    `Registry target: ${n0(d.registryTags)} tags in ${d.registryRepos.toString()} repositories ` +
      `(${d.registryProjects.toString()} projects, one image per repository under ${d.tagsPerRepo.toString()} tags).`,
    `Harbor target:   ${n0(d.harborArtifacts)} artifacts in ${d.harborRepos.toString()} repositories ` +
      `(${d.harborProjects.toString()} projects, ${d.artifactsPerRepo.toString()} per repository, listed 100 per page).`,
    `Seeding (excluded from every rate): lab stores ${n0(r.seeding.labArtifactsStored)} artifacts in ${n1(r.seeding.labStoresSeconds)} s ` +
      `(${n1(r.seeding.labStoresCpuSeconds)} s CPU); docker-registry ` +
      `${n0(r.seeding.registry.blobUploads)} blob uploads + ${n0(r.seeding.registry.manifestPuts)} manifest PUTs ` +
      `+ ${n0(r.seeding.registry.fileTags)} tags written as its storage files in ${n1(r.seeding.registry.seconds)} s ` +
      `(overlapping the lab seeding).`,
    `Lab Harbor target: ${n0(r.labPages.pages)} pages of 100 artifacts of ${r.labPages.repository} ` +
      `(${n0(r.labPages.artifactsInRepository)} artifacts; ${n0(r.labPages.artifactsInLab)} in the lab) ` +
      `in ${n1(r.labPages.meanMs)} ms each, ${n1(r.labPages.cpuMsPerPage)} ms CPU each (lab and client).`,
    ''
  );
  const rows: string[][] = [
    [
      'measurement',
      'artifacts/s',
      'seconds',
      'peak RSS',
      'CPU s: self / lab / registry / proxy',
    ],
  ];
  for (const a of r.audits) {
    rows.push([
      `audit ${a.target} (${a.kind}), runAuditJob${a.round === undefined ? '' : ` #${a.round.toString()}`}`,
      n1(a.rate),
      n1(a.seconds),
      `${n0(a.peakRssMiB)} MiB`,
      `${n1(a.cpuSeconds)} / ${n1(a.labCpuSeconds)} / ${a.registryCpuSeconds === undefined ? '-' : n1(a.registryCpuSeconds)} / ${a.proxyCpuSeconds === undefined ? '-' : n1(a.proxyCpuSeconds)}`,
    ]);
  }
  if (r.skopeo) {
    rows.push([
      `skopeo script, ${r.skopeo.compared.toString()}-tag sample (extrapolated)`,
      n1(r.skopeo.rate),
      `${n1(r.skopeo.seconds)} (${n0(r.skopeo.extrapolatedSeconds)})`,
      '',
      '',
    ]);
  }
  for (const h of r.rawHead) {
    rows.push([
      `raw HEAD, undici ${h.mode === 'keep-alive' ? 'keep-alive' : 'without keep-alive'}, c=${h.concurrency.toString()}, ${n0(h.requests)} tags, ${n0(h.connections)} connections (${h.when})`,
      n1(h.rate),
      n1(h.seconds),
      `${n0(h.peakRssMiB)} MiB`,
      `${n1(h.cpuSeconds)} / - / ${h.registryCpuSeconds === undefined ? '-' : n1(h.registryCpuSeconds)} / -`,
    ]);
  }
  for (const t of r.tools) {
    rows.push([
      `raw HEAD, ${t.tool} (one URL, ${n0(t.requests)} requests)`,
      n1(t.requestsPerSecond),
      '',
      '',
      '',
    ]);
  }
  lines.push(table(rows), '');
  for (const a of r.audits) {
    const conns = Object.entries(a.trace.connections)
      .map(([k, v]) => `${k} ${n0(v)}`)
      .join(', ');
    const per100 = Object.entries(a.requestsPer100)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ');
    lines.push(
      `Audit of ${a.target}${a.round === undefined ? '' : ` #${a.round.toString()}`}: memory peaks: heap used ${n0(a.memory.heapUsedMiB)} MiB, ` +
        `external ${n0(a.memory.externalMiB)} MiB (array buffers ${n0(a.memory.arrayBuffersMiB)} MiB)` +
        `${a.memory.snapshot === undefined ? '' : `; heap snapshot ${a.memory.snapshot}`}.`
    );
    lines.push(
      `Audit of ${a.target}${a.round === undefined ? '' : ` #${a.round.toString()}`}, requests by kind (seconds from the audit's start; TCP connections opened: ${conns}; requests per 100 artifacts: ${per100}):`
    );
    const phases: string[][] = [
      ['  upstream / kind', 'requests', 'from', 'to', 'mean latency'],
    ];
    for (const p of a.trace.phases) {
      phases.push([
        `  ${p.phase}`,
        n0(p.requests),
        n1(p.firstStart),
        n1(p.lastEnd),
        `${n1(p.meanLatency * 1000)} ms`,
      ]);
    }
    lines.push(table(phases), '');
  }
  const aims: string[][] = [['ratio (registry target)', 'measured', 'aim', '']];
  for (const a of r.aims) {
    aims.push([
      a.name,
      a.unit === 'x'
        ? `${n1(a.value)}x`
        : a.unit === '%'
          ? pct(a.value)
          : a.unit === 'req'
            ? a.value.toFixed(3)
            : `${n0(a.value)} MiB`,
      a.aim,
      a.met === undefined ? '(info)' : a.met ? 'met' : 'MISSED',
    ]);
  }
  lines.push(table(aims), '');
  for (const note of r.notes) lines.push(`- ${note}`);
  if (r.profiles.length > 0) {
    lines.push('');
    for (const p of r.profiles) {
      lines.push(
        `CPU profile of the ${p.target} audit (separate run, ${n0(p.summary.totalMs)} ms sampled), self time by file:`
      );
      for (const f of p.summary.byFile.slice(0, 10))
        lines.push(`  ${String(f.share).padStart(5)}%  ${f.file}`);
      lines.push('  by function (self):');
      for (const f of p.summary.bySelf.slice(0, 10))
        lines.push(`  ${String(f.share).padStart(5)}%  ${f.fn}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
