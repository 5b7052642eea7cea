import type { DriftResult } from '../../../../lambdas/core/metadata/diff';
import type {
  CheckItem,
  CheckStatus,
} from '../../../../lambdas/core/readiness/checklist';
import {
  checkAuditAge,
  checkCoverage,
  checkDrift,
  checkExposure,
  checkReplication,
} from '../../../../lambdas/core/readiness/checks';
import {
  checkHarborHealth,
  checkReachable,
  checkStorage,
  checkTls,
  checkVersionSkew,
} from '../../../../lambdas/core/readiness/endpoint-checks';
import { readinessVerdict } from '../../../../lambdas/core/readiness/verdict';
import type { TargetReport } from '../../../../lambdas/core/report/schema';
import { targetReport } from '../../../helpers/report-fixture';

const now = new Date('2026-11-29T12:00:00Z');
const inDays = (d: number) =>
  new Date(now.getTime() + d * 86_400_000).toISOString();

function target(overrides: Partial<TargetReport> = {}): TargetReport {
  const base = targetReport();
  return targetReport({
    name: 'dr',
    kind: 'harbor',
    url: 'https://dr.example.com',
    counts: { ...base.counts, expected: 10, synced: 10 },
    rpo: {
      ...base.rpo,
      p50DelaySeconds: 5,
      p95DelaySeconds: 9,
      maxDelaySeconds: 10,
    },
    ...overrides,
  });
}

const withRpo = (rpo: Partial<TargetReport['rpo']>): TargetReport =>
  target({ rpo: { ...target().rpo, ...rpo } });

const passing = (): CheckItem[] => [
  checkReachable({ ok: true, as: 'user auditor' }),
  checkHarborHealth({
    ok: true,
    value: {
      status: 'healthy',
      components: [{ name: 'core', status: 'healthy' }],
    },
  }),
  checkVersionSkew(
    { ok: true, value: 'v2.15.2' },
    { ok: true, value: 'v2.15.1' }
  ),
  checkTls(
    {
      ok: true,
      value: {
        subject: 'dr',
        issuer: 'ca',
        validFrom: inDays(-10),
        validTo: inDays(300),
        trusted: true,
      },
    },
    now,
    true
  ),
  checkCoverage(target()),
  checkExposure(target(), [], now),
  checkDrift({
    ok: true,
    value: { drift: [], unseen: [], compared: ['users'] },
  }),
  checkReplication({
    failing: [],
    stuck: [],
    overdue: [],
    disabled: [],
    policies: 2,
  }),
  checkAuditAge(
    { ok: true, value: { runId: 'r1', finishedAt: inDays(-0.5) } },
    now
  ),
  checkStorage({ ok: true, value: [{ total: 100, free: 50 }] }),
];

const drift = (severity: 'critical' | 'warning' | 'info'): DriftResult => ({
  drift: [
    {
      category: 'users',
      name: 'carol',
      severity,
      primary: 'x',
      target: 'absent',
    },
  ],
  unseen: [],
  compared: ['users'],
});

/** Each row replaces one item of a passing checklist and names the verdict it must give. */
const flips: [string, CheckItem, CheckStatus, string][] = [
  [
    'unreachable',
    checkReachable({ ok: false, rejected: false, reason: 'ECONNREFUSED' }),
    'fail',
    'NOT_READY',
  ],
  [
    'credentials rejected',
    checkReachable({ ok: false, rejected: true, reason: '401' }),
    'fail',
    'NOT_READY',
  ],
  [
    'core unhealthy',
    checkHarborHealth({
      ok: true,
      value: {
        status: 'unhealthy',
        components: [{ name: 'core', status: 'unhealthy' }],
      },
    }),
    'fail',
    'NOT_READY',
  ],
  [
    'trivy unhealthy',
    checkHarborHealth({
      ok: true,
      value: {
        status: 'unhealthy',
        components: [{ name: 'trivy', status: 'unhealthy' }],
      },
    }),
    'warn',
    'DEGRADED',
  ],
  [
    'health unreadable',
    checkHarborHealth({ ok: false, error: 'timeout' }),
    'unknown',
    'UNKNOWN',
  ],
  [
    'another major version',
    checkVersionSkew(
      { ok: true, value: 'v2.15.2' },
      { ok: true, value: 'v3.0.0' }
    ),
    'fail',
    'NOT_READY',
  ],
  [
    'another minor version',
    checkVersionSkew(
      { ok: true, value: 'v2.15.2' },
      { ok: true, value: 'v2.13.0' }
    ),
    'warn',
    'DEGRADED',
  ],
  [
    'version not shown',
    checkVersionSkew({ ok: true, value: 'v2.15.2' }, { ok: true, value: null }),
    'unknown',
    'UNKNOWN',
  ],
  [
    'certificate expired',
    checkTls(
      {
        ok: true,
        value: {
          subject: 'dr',
          issuer: 'ca',
          validFrom: inDays(-100),
          validTo: inDays(-1),
          trusted: true,
        },
      },
      now,
      true
    ),
    'fail',
    'NOT_READY',
  ],
  [
    'certificate expires in 3 days',
    checkTls(
      {
        ok: true,
        value: {
          subject: 'dr',
          issuer: 'ca',
          validFrom: inDays(-100),
          validTo: inDays(3),
          trusted: true,
        },
      },
      now,
      true
    ),
    'fail',
    'NOT_READY',
  ],
  [
    'certificate expires in 20 days',
    checkTls(
      {
        ok: true,
        value: {
          subject: 'dr',
          issuer: 'ca',
          validFrom: inDays(-100),
          validTo: inDays(20),
          trusted: true,
        },
      },
      now,
      true
    ),
    'warn',
    'DEGRADED',
  ],
  [
    'certificate untrusted',
    checkTls(
      {
        ok: true,
        value: {
          subject: 'dr',
          issuer: 'self',
          validFrom: inDays(-1),
          validTo: inDays(300),
          trusted: false,
          trustError: 'SELF_SIGNED',
        },
      },
      now,
      true
    ),
    'fail',
    'NOT_READY',
  ],
  [
    'certificate unreadable',
    checkTls({ ok: false, error: 'ECONNRESET' }, now, true),
    'unknown',
    'UNKNOWN',
  ],
  [
    'missing images',
    checkCoverage(
      target({
        counts: {
          expected: 10,
          synced: 9,
          missing: 1,
          mismatched: 0,
          orphaned: 0,
          unknown: 0,
        },
      })
    ),
    'warn',
    'DEGRADED',
  ],
  [
    'unseen images',
    checkCoverage(
      target({
        counts: {
          expected: 10,
          synced: 9,
          missing: 0,
          mismatched: 0,
          orphaned: 0,
          unknown: 1,
        },
      })
    ),
    'unknown',
    'UNKNOWN',
  ],
  [
    'an unaudited shard',
    checkCoverage(
      target({ shards: [{ project: 'library', status: 'not-audited' }] })
    ),
    'unknown',
    'UNKNOWN',
  ],
  [
    'exposure over the objective',
    checkExposure(withRpo({ estimateSeconds: 7200 }), [], now),
    'fail',
    'NOT_READY',
  ],
  [
    'exposure unknown',
    checkExposure(withRpo({ estimateSeconds: null }), [], now),
    'unknown',
    'UNKNOWN',
  ],
  [
    'an execution in progress too long',
    checkExposure(
      target(),
      [{ policy: 'to-dr', kind: 'in-progress', seconds: 9000, late: true }],
      now
    ),
    'warn',
    'DEGRADED',
  ],
  [
    'p95 delay over the objective',
    checkExposure(withRpo({ p95DelaySeconds: 4000 }), [], now),
    'warn',
    'DEGRADED',
  ],
  [
    'critical drift',
    checkDrift({ ok: true, value: drift('critical') }),
    'fail',
    'NOT_READY',
  ],
  [
    'warning drift',
    checkDrift({ ok: true, value: drift('warning') }),
    'warn',
    'DEGRADED',
  ],
  [
    'info drift only',
    checkDrift({ ok: true, value: drift('info') }),
    'pass',
    'READY',
  ],
  [
    'drift not compared',
    checkDrift({
      ok: true,
      value: {
        drift: [],
        unseen: [{ category: 'auth', side: 'target', reason: '403' }],
        compared: [],
      },
    }),
    'unknown',
    'UNKNOWN',
  ],
  [
    'failing replication',
    checkReplication({
      failing: ['to-dr'],
      stuck: [],
      overdue: [],
      disabled: [],
      policies: 1,
    }),
    'warn',
    'DEGRADED',
  ],
  [
    'stuck replication',
    checkReplication({
      failing: [],
      stuck: ['to-dr'],
      overdue: [],
      disabled: [],
      policies: 1,
    }),
    'warn',
    'DEGRADED',
  ],
  ['no replication health data', checkReplication(null), 'unknown', 'UNKNOWN'],
  [
    'no audit on record',
    checkAuditAge({ ok: true, value: null }, now),
    'warn',
    'DEGRADED',
  ],
  [
    'an old audit',
    checkAuditAge(
      { ok: true, value: { runId: 'r0', finishedAt: inDays(-3) } },
      now
    ),
    'warn',
    'DEGRADED',
  ],
  [
    'report store unreadable',
    checkAuditAge({ ok: false, error: 'AccessDenied' }, now),
    'unknown',
    'UNKNOWN',
  ],
  [
    'storage almost full',
    checkStorage({ ok: true, value: [{ total: 100, free: 2 }] }),
    'fail',
    'NOT_READY',
  ],
  [
    'storage low',
    checkStorage({ ok: true, value: [{ total: 100, free: 10 }] }),
    'warn',
    'DEGRADED',
  ],
  [
    'storage not shown',
    checkStorage({ ok: true, value: null }),
    'unknown',
    'READY',
  ],
  [
    "the auditor's own credentials unreadable: not tried, so unseen",
    checkReachable({
      ok: false,
      untried: true,
      reason: 'its credentials could not be read: secret harbor-dr/dr',
    }),
    'unknown',
    'UNKNOWN',
  ],
];

describe('readiness checklist', () => {
  it('is READY when every item passes', () => {
    const items = passing();
    expect(items.map((i) => i.status)).toEqual(
      Array(items.length).fill('pass')
    );
    expect(readinessVerdict(items)).toBe('READY');
  });

  it.each(flips)(
    '%s: the item is %s… and the verdict %s',
    (_name, changed, status, verdict) => {
      const items = passing().map((i) => (i.id === changed.id ? changed : i));

      expect(changed.status).toBe(status);
      expect(readinessVerdict(items)).toBe(verdict);
    }
  );

  it('ranks fail over unknown over warn', () => {
    const [fail, unknown, warn] = [flips[0], flips[4], flips[3]].map(
      (f) => f?.[1]
    );
    expect(
      readinessVerdict([warn, unknown, fail].filter((x) => x !== undefined))
    ).toBe('NOT_READY');
    expect(
      readinessVerdict([warn, unknown].filter((x) => x !== undefined))
    ).toBe('UNKNOWN');
  });

  it('gives evidence for every item', () => {
    for (const [, item] of flips)
      expect(item.evidence.length).toBeGreaterThan(3);
  });
});

describe('checkExposure with unseen refs', () => {
  // Issue 11 problem 9: every manifest HEAD of a target hung, 6 of 6 refs unseen, and the
  // check read "pass — exposure 0s".
  const allUnseen = (rpo: Partial<TargetReport['rpo']>): TargetReport =>
    target({
      counts: {
        expected: 6,
        synced: 0,
        missing: 0,
        mismatched: 0,
        orphaned: 0,
        unknown: 6,
      },
      shards: [{ project: 'library', status: 'unknown', reason: 'HEAD hung' }],
      rpo: { ...target().rpo, ...rpo },
    });

  it('is unknown, never a pass, when refs went unseen', () => {
    const check = checkExposure(allUnseen({ estimateSeconds: null }), [], now);

    expect(check.status).toBe('unknown');
    expect(check.evidence).toBe(
      'exposure unknown: 6 refs and 1 scope could not be seen (objective 1h 00m)'
    );
  });

  it('is unknown even when an estimate of 0 says otherwise', () => {
    const check = checkExposure(allUnseen({ estimateSeconds: 0 }), [], now);

    expect(check.status).toBe('unknown');
    expect(
      readinessVerdict(passing().map((i) => (i.id === check.id ? check : i)))
    ).toBe('UNKNOWN');
  });

  it('fails when the refs seen already prove a breach', () => {
    const check = checkExposure(
      allUnseen({
        estimateSeconds: null,
        oldestUnsyncedPushTime: '2026-11-29T09:00:00Z',
      }),
      [],
      now
    );

    expect(check.status).toBe('fail');
    expect(check.evidence).toMatch(/^exposure at least 3h/);
  });

  it('reads the bound the audit stored (at its own clock), not the push time again', () => {
    // The audit ran at 11:00 and stored 2h; this check runs at 12:00.
    const check = checkExposure(
      allUnseen({
        estimateSeconds: null,
        estimateAtLeastSeconds: 7200,
        oldestUnsyncedPushTime: '2026-11-29T09:00:00Z',
      }),
      [],
      now
    );

    expect(check.status).toBe('fail');
    expect(check.evidence).toBe(
      'exposure at least 2h 00m (objective 1h 00m), oldest unsynced push 2026-11-29T09:00:00Z; 6 refs and 1 scope could not be seen'
    );
  });

  it('is unknown with the stored bound when it is within the objective', () => {
    const check = checkExposure(
      allUnseen({
        estimateSeconds: null,
        estimateAtLeastSeconds: 1500,
        oldestUnsyncedPushTime: '2026-11-29T09:00:00Z',
      }),
      [],
      now
    );

    expect(check.status).toBe('unknown');
    expect(check.evidence).toBe(
      'exposure unknown: 6 refs and 1 scope could not be seen (objective 1h 00m); at least 25m 00s from the refs seen'
    );
  });
});

describe('evidence wording (issue 16)', () => {
  it('counts one policy, one component, one ref and one scope in the singular', () => {
    const one = { failing: [], stuck: [], overdue: [], disabled: [] };
    expect(checkReplication({ ...one, policies: 1 }).evidence).toBe(
      '1 policy: latest runs succeeded, none stuck'
    );
    expect(checkReplication({ ...one, policies: 2 }).evidence).toBe(
      '2 policies: latest runs succeeded, none stuck'
    );
    expect(
      checkHarborHealth({
        ok: true,
        value: {
          status: 'healthy',
          components: [{ name: 'core', status: 'healthy' }],
        },
      }).evidence
    ).toBe('healthy (1 component)');
    const unseen = target({
      counts: { ...target().counts, unknown: 1 },
      errors: [{ scope: 'dr/x', message: 'HTTP 401' }],
    });
    expect(checkCoverage(unseen).evidence).toMatch(
      /; 1 ref and 1 scope could not be seen$/
    );
  });

  it('never says "needs a sysadmin" for an account that is one', () => {
    const asSysadmin = checkStorage({ ok: true, value: [] }, undefined, true);
    expect(asSysadmin.status).toBe('unknown');
    expect(asSysadmin.evidence).not.toMatch(/needs a sysadmin/);
    expect(asSysadmin.evidence).toMatch(/the account is a sysadmin/);
    expect(
      checkStorage({ ok: true, value: [] }, undefined, false).evidence
    ).toMatch(/needs a sysadmin/);
  });
});
