import type { DoublestarVersion } from '../../../../lambdas/core/harbor/pattern';
import { harborDoublestarVersion } from '../../../../lambdas/core/harbor/pattern';

describe('harborDoublestarVersion', () => {
  it.each<[string | undefined, DoublestarVersion, boolean]>([
    // 2.8.0–2.9.4 and 2.10.0–2.10.2 link v1.1.1
    ['v2.8.0-abc123', 'v1.1.1', true],
    ['v2.8.6-0a1b2c3d', 'v1.1.1', true],
    ['v2.9.0-abc', 'v1.1.1', true],
    ['v2.9.4-abc', 'v1.1.1', true],
    ['v2.10.0-abc', 'v1.1.1', true],
    ['v2.10.1-abc123', 'v1.1.1', true],
    ['v2.10.2', 'v1.1.1', true],
    // 2.9.5, 2.10.3 and 2.11 on link v1.3.4
    ['2.9.5', 'v1.3.4', true],
    ['v2.9.5-xyz', 'v1.3.4', true],
    ['v2.10.3-xyz', 'v1.3.4', true],
    ['v2.11.0-rc1-abc', 'v1.3.4', true],
    ['v2.15.2-xxxx', 'v1.3.4', true],
    [' v2.12.1-abc ', 'v1.3.4', true],
    ['v2.16.0', 'v1.3.4', true],
    // not known: guessed as the newest library
    ['v2.17.0-abc', 'v1.3.4', false],
    ['v3.0.0', 'v1.3.4', false],
    ['v2.7.4-abc', 'v1.3.4', false],
    ['v1.10.0', 'v1.3.4', false],
    ['v2.10', 'v1.3.4', false],
    ['v2.10.1.5', 'v1.3.4', false],
    ['dev', 'v1.3.4', false],
    ['', 'v1.3.4', false],
    [undefined, 'v1.3.4', false],
  ])('%j → %s (known: %s)', (harborVersion, version, known) => {
    // Act
    const got = harborDoublestarVersion(harborVersion);

    // Assert
    expect(got).toEqual({ version, known });
  });
});
