/** Audit logs are per instance by nature (§6): reported once as info, never diffed. */
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
  const total = s.total === null ? 'entries' : `${String(s.total)} entries`;
  return s.latest ? `${total}, newest ${s.latest}` : total;
}
