/**
 * Tag retention and immutability rules in the human report: the drift items carry each rule as
 * canonical JSON (core/metadata); people read them as a table, one row per rule and side.
 */
import { codeSpan, escapeCell, plural } from '../format';
import type { TargetReport } from '../schema';

type DriftItem = TargetReport['drift'][number];

/** The categories whose `rules` are Harbor tag rules (retention and immutability). */
const RULE_CATEGORIES = new Set(['retention', 'immutability']);

/** One rule, as the table shows it. */
interface RuleRow {
  name: string;
  category: string;
  side: 'primary' | 'target';
  rule: Record<string, unknown>;
}

/**
 * The drift item with its rules (and retention trigger) said in words, and the rules it
 * carried: items of other categories, or whose rules do not parse, are returned as they are.
 */
export function splitRules(item: DriftItem): {
  item: DriftItem;
  rows: RuleRow[];
} {
  if (!RULE_CATEGORIES.has(item.category)) return { item, rows: [] };
  const rows: RuleRow[] = [];
  const side = (text: string | undefined, which: 'primary' | 'target') => {
    if (text === undefined) return text;
    const parsed = parseFields(text);
    if (parsed === null) return text;
    const rules = parsed.rules ?? [];
    for (const rule of rules) {
      rows.push({
        name: item.name,
        category: item.category,
        side: which,
        rule,
      });
    }
    return parsed.text;
  };
  const primary = side(item.primary, 'primary');
  const target = side(item.target, 'target');
  return {
    item: {
      ...item,
      ...(primary === undefined ? {} : { primary }),
      ...(target === undefined ? {} : { target }),
    },
    rows,
  };
}

/** The Markdown table of the rules of every drift item (none: no lines). */
export function rulesTable(rows: readonly RuleRow[]): string[] {
  if (rows.length === 0) return [];
  const lines = [
    'Retention and immutability rules:',
    '',
    '| category | project | side | priority | action | rule | repositories | tags | disabled |',
    '| --- | --- | --- | ---: | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const rule = r.rule;
    lines.push(
      `| ${escapeCell(r.category)} | ${escapeCell(r.name)} | ${r.side} | ${cellOf(rule.priority)} | ${cellOf(rule.action)} | ${templateOf(rule)} | ${selectorsOf(repositorySelectors(rule))} | ${selectorsOf(rule.tag_selectors)} | ${cellOf(rule.disabled)} |`
    );
  }
  lines.push('');
  return lines;
}

/** `template (param=value, …)`. */
function templateOf(rule: Record<string, unknown>): string {
  const params = isRecord(rule.params)
    ? Object.entries(rule.params).map(([k, v]) => `${k}=${plain(v)}`)
    : [];
  const template = typeof rule.template === 'string' ? rule.template : '—';
  return escapeCell(
    params.length > 0 ? `${template} (${params.join(', ')})` : template
  );
}

function repositorySelectors(rule: Record<string, unknown>): unknown {
  const scope = rule.scope_selectors;
  return isRecord(scope) ? scope.repository : undefined;
}

/** Harbor selectors (`{decoration, kind, pattern}`) as `matches \`**\``, one per line. */
function selectorsOf(selectors: unknown): string {
  if (!Array.isArray(selectors) || selectors.length === 0) return '—';
  return selectors
    .map((s) => {
      if (!isRecord(s)) return escapeCell(plain(s));
      const decoration = plain(s.decoration).replace(/^repo/, '').toLowerCase();
      const kind = s.kind === 'doublestar' ? '' : ` (${plain(s.kind)})`;
      return `${escapeCell(decoration)} ${codeSpan(plain(s.pattern), 'cell')}${escapeCell(kind)}`;
    })
    .join('<br>');
}

function cellOf(value: unknown): string {
  return value === undefined ? '—' : escapeCell(plain(value));
}

function plain(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A drift side such as `algorithm: or; rules: {…}, {…}; trigger: {…}`: the rules parsed, the
 * text with them counted and the trigger in words. Null when the rules are not JSON objects.
 */
function parseFields(
  text: string
): { text: string; rules?: Record<string, unknown>[] } | null {
  const at = fieldAt(text, 'rules');
  if (at === -1) return { text: triggerInWords(text) };
  let i = at + 'rules: '.length;
  const rules: Record<string, unknown>[] = [];
  for (;;) {
    const end = objectEnd(text, i);
    if (end === -1) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(i, end));
    } catch {
      return null;
    }
    if (!isRecord(parsed)) return null;
    rules.push(parsed);
    if (text.startsWith(', {', end)) {
      i = end + 2;
      continue;
    }
    const rest = text.slice(end);
    const count = `rules: ${plural(rules.length, 'rule')} (table below)`;
    return {
      text: triggerInWords(`${text.slice(0, at)}${count}${rest}`),
      rules,
    };
  }
}

/** `trigger: {"kind":"Schedule","settings":{"cron":"0 0 * * *"}}` → `trigger: Schedule, cron 0 0 * * *`. */
function triggerInWords(text: string): string {
  const marker = fieldAt(text, 'trigger');
  if (marker === -1) return text;
  const start = marker + 'trigger: '.length;
  const end = objectEnd(text, start);
  if (end === -1) return text;
  let trigger: unknown;
  try {
    trigger = JSON.parse(text.slice(start, end));
  } catch {
    return text;
  }
  if (!isRecord(trigger)) return text;
  const cron =
    isRecord(trigger.settings) && typeof trigger.settings.cron === 'string'
      ? `, cron ${trigger.settings.cron}`
      : '';
  return `${text.slice(0, start)}${plain(trigger.kind ?? '—')}${cron}${text.slice(end)}`;
}

/** Where `field: ` starts in `a: x; field: y`, or -1. */
function fieldAt(text: string, field: string): number {
  if (text.startsWith(`${field}: `)) return 0;
  const k = text.indexOf(`; ${field}: `);
  return k === -1 ? -1 : k + 2;
}

/** The index after the JSON object that starts at `start`, or -1. */
function objectEnd(text: string, start: number): number {
  if (text[start] !== '{') return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
