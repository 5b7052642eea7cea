import {
  LEASE_MARGIN_MS,
  claimTooLate,
  decideLease,
  leaseKey,
  leaseMarker,
  parseLeaseMarker,
  claimIdOf,
  claimIdOfLeaseKey,
  liveHolder,
  settleMs,
  skippedMessage,
  type LeaseMarker,
} from '../../../../lambdas/core/report/lease';
import { makeRunId } from '../../../../lambdas/core/report/layout';

const NOW = new Date('2026-11-30T02:00:30.000Z');

function marker(
  startedAt: string,
  random: string,
  expiresAt = '2026-11-30T02:20:00.000Z'
): LeaseMarker {
  return {
    runId: makeRunId(new Date(startedAt), random),
    kind: 'audit',
    startedAt,
    expiresAt,
  };
}

describe('the run lease decision', () => {
  it('lets the smallest live run id proceed and names it to every other run', () => {
    // Arrange
    const first = marker('2026-11-30T02:00:00.000Z', 'aaaaaa');
    const second = marker('2026-11-30T02:00:10.000Z', '000000');
    const all = [second, first];

    // Act
    const forFirst = decideLease(first, all, NOW);
    const forSecond = decideLease(second, all, NOW);

    // Assert
    expect(forFirst).toEqual({ proceed: true, stale: [] });
    expect(forSecond).toEqual({ proceed: false, holder: first, stale: [] });
  });

  it('ignores expired markers (crashed runs) and returns them for deletion', () => {
    // Arrange
    const crashed = marker(
      '2026-11-30T01:00:00.000Z',
      'aaaaaa',
      '2026-11-30T01:20:00.000Z'
    );
    const own = marker('2026-11-30T02:00:00.000Z', 'bbbbbb');

    // Act
    const decision = decideLease(own, [crashed, own], NOW);

    // Assert
    expect(decision).toEqual({ proceed: true, stale: [crashed] });
  });

  it('yields to a marker that has not expired yet, at the instant of its expiry it is stale', () => {
    // Arrange
    const holder = marker(
      '2026-11-30T01:59:00.000Z',
      'aaaaaa',
      '2026-11-30T02:00:30.001Z'
    );
    const own = marker('2026-11-30T02:00:00.000Z', 'bbbbbb');

    // Act
    const before = decideLease(own, [holder, own], NOW);
    const at = decideLease(
      own,
      [holder, own],
      new Date('2026-11-30T02:00:30.001Z')
    );

    // Assert
    expect(before).toMatchObject({ proceed: false, holder });
    expect(at).toEqual({ proceed: true, stale: [holder] });
  });

  it('counts its own marker even when the listing missed it', () => {
    // Arrange
    const own = marker('2026-11-30T02:00:00.000Z', 'aaaaaa');
    const later = marker('2026-11-30T02:00:01.000Z', 'aaaaaa');

    // Act
    const decision = decideLease(own, [later], NOW);

    // Assert
    expect(decision).toEqual({ proceed: true, stale: [] });
  });

  it('among runs that all see each other, exactly one proceeds: never two, never none (same millisecond too)', () => {
    // Arrange: runs started in the same millisecond differ only in their random suffix.
    const runs = ['c0ffee', '0a0a0a', 'ffffff', '123abc', '123abd'].map((r) =>
      marker('2026-11-30T02:00:00.000Z', r)
    );
    const stranger = marker('2026-11-30T02:00:00.001Z', '000000');
    const all = [...runs, stranger];

    // Act
    const proceeding = all.filter((own) => decideLease(own, all, NOW).proceed);
    const holders = new Set(
      all.map((own) => {
        const d = decideLease(own, all, NOW);
        return d.proceed ? own.runId : d.holder.runId;
      })
    );

    // Assert
    expect(proceeding.map((m) => m.runId)).toEqual([
      '20261130T020000000Z-0a0a0a',
    ]);
    expect([...holders]).toEqual(['20261130T020000000Z-0a0a0a']);
  });
});

describe('the run lease marker', () => {
  it('expires a margin after the run deadline, by the run own clock', () => {
    // Arrange
    const startedAt = new Date('2026-11-30T02:00:00.000Z');
    const deadline = new Date('2026-11-30T02:14:00.000Z');

    // Act
    const m = leaseMarker(
      '20261130T020000000Z-abcdef',
      'readiness',
      startedAt,
      deadline
    );

    // Assert
    expect(m).toEqual({
      runId: '20261130T020000000Z-abcdef',
      kind: 'readiness',
      startedAt: '2026-11-30T02:00:00.000Z',
      expiresAt: new Date(deadline.getTime() + LEASE_MARGIN_MS).toISOString(),
    });
    expect(parseLeaseMarker(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('keeps its markers under runs-active/ and reads the run id back, refusing other names', () => {
    // Act / Assert
    expect(leaseKey('20261130T020000000Z-abcdef', 'reports')).toBe(
      'reports/runs-active/20261130T020000000Z-abcdef.json'
    );
    expect(leaseKey('20261130T020000000Z-abcdef', '')).toBe(
      'runs-active/20261130T020000000Z-abcdef.json'
    );
    expect(
      claimIdOfLeaseKey('reports/runs-active/20261130T020000000Z-abcdef.json')
    ).toBe('20261130T020000000Z-abcdef');
    expect(
      claimIdOfLeaseKey('20261130T020000000Z-abcdef.json.12.tmp')
    ).toBeNull();
    expect(claimIdOfLeaseKey('reports/runs-active/../x.json')).toBeNull();
    expect(parseLeaseMarker({ runId: '../etc', kind: 'audit' })).toBeNull();
  });

  it("orders claims by their claim id, and names the run by its own id (a distributed run's plan's)", () => {
    // Arrange: a merge claims at 02:00:10 for a run planned at 01:00; a run claims at 02:00:00.
    const merge = leaseMarker(
      makeRunId(new Date('2026-11-30T02:00:10.000Z'), 'cccccc'),
      'audit',
      new Date('2026-11-30T02:00:10.000Z'),
      new Date('2026-11-30T02:14:00.000Z'),
      makeRunId(new Date('2026-11-30T01:00:00.000Z'), 'pppppp')
    );
    const single = marker('2026-11-30T02:00:00.000Z', 'ssssss');

    // Act
    const forMerge = decideLease(merge, [merge, single], NOW);
    const forSingle = decideLease(single, [merge, single], NOW);

    // Assert
    expect(merge.runId).toBe('20261130T010000000Z-pppppp');
    expect(claimIdOf(merge)).toBe('20261130T020010000Z-cccccc');
    expect(claimIdOf(single)).toBe(single.runId);
    expect(forMerge).toEqual({ proceed: false, holder: single, stale: [] });
    expect(forSingle).toEqual({ proceed: true, stale: [] });
    expect(skippedMessage(merge)).toContain(
      'another run 20261130T010000000Z-pppppp (audit'
    );
    // Stored and read back under its claim id only.
    const stored = JSON.parse(JSON.stringify(merge)) as unknown;
    expect(parseLeaseMarker(stored, claimIdOf(merge))).toEqual(merge);
    expect(parseLeaseMarker(stored, merge.runId)).toBeNull();
  });

  it('a peek finds the live marker with the smallest claim id of another run, never an expired one', () => {
    // Arrange
    const crashed = marker(
      '2026-11-30T01:00:00.000Z',
      'aaaaaa',
      '2026-11-30T01:20:00.000Z'
    );
    const first = marker('2026-11-30T02:00:00.000Z', 'bbbbbb');
    const second = marker('2026-11-30T02:00:05.000Z', 'cccccc');

    // Act / Assert
    expect(liveHolder([second, crashed, first], NOW)).toBe(first);
    expect(liveHolder([second, first], NOW, first.runId)).toBe(second);
    expect(liveHolder([crashed], NOW)).toBeNull();
    expect(liveHolder([], NOW)).toBeNull();
  });

  it('says who holds the lease and until when', () => {
    // Act
    const text = skippedMessage(marker('2026-11-30T02:00:00.000Z', 'aaaaaa'));

    // Assert
    expect(text).toBe(
      'skipped: another run 20261130T020000000Z-aaaaaa (audit, started at 2026-11-30T02:00:00.000Z) holds the lease until 2026-11-30T02:20:00.000Z'
    );
  });

  it('withdraws a claim written later than claimMs after its id time; settles for claim + skew', () => {
    // Arrange
    const timing = { claimMs: 2_000, skewMs: 1_000 };
    const t0 = new Date('2026-11-30T02:00:00.000Z');

    // Act / Assert
    expect(claimTooLate(t0, new Date(t0.getTime() + 2_000), timing)).toBe(
      false
    );
    expect(claimTooLate(t0, new Date(t0.getTime() + 2_001), timing)).toBe(true);
    expect(settleMs(timing)).toBe(3_000);
  });
});
