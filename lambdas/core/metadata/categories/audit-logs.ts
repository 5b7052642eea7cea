/**
 * Audit logs are per instance by nature (§6): reported once as info, never diffed. Harbor
 * 2.8-2.12 have no `/auditlog-exts` (2.13 on): there the category is not applicable.
 */
import { defineCategory, system } from '../category';
import type { AuditLogSummary } from '../types';

export const auditLogs = defineCategory({
  id: 'auditLogs',
  covers: ['audit-logs'],
  read: [
    system(
      (api) => api.auditLogSummary(),
      (summary) => [summary]
    ),
  ],
  notApplicable: (items) => items.find((s) => s.notApplicable)?.notApplicable,
  compare(p: readonly AuditLogSummary[], t: readonly AuditLogSummary[]) {
    return [
      {
        category: 'audit-logs',
        name: 'per-instance by design (not compared)',
        severity: 'info',
        primary: auditText(p[0]),
        target: auditText(t[0]),
      },
    ];
  },
});

function auditText(s: AuditLogSummary | undefined): string {
  if (!s) return 'not read';
  if (s.notApplicable !== undefined) return 'not applicable (Harbor < 2.13)';
  const total = s.total === null ? 'entries' : `${String(s.total)} entries`;
  return s.latest ? `${total}, newest ${s.latest}` : total;
}
