/**
 * Which doublestar v1 the plan reads filters with: the one the primary's Harbor release links
 * (harbor-semantics, "Correction"), a version forced by the config, or v1.3.4 as a said guess.
 */
import type { DoublestarVersion } from '../../harbor/pattern';
import { harborDoublestarVersion } from '../../harbor/pattern';
import type { Matching } from '../../report/schema';

/** The config's `primary.doublestar`: read the release (`auto`) or force a version. */
export type DoublestarSetting = 'auto' | DoublestarVersion;

const RELEASES: Record<DoublestarVersion, string> = {
  'v1.1.1': 'Harbor 2.8.0–2.9.4 and 2.10.0–2.10.2',
  'v1.3.4': 'Harbor 2.9.5, 2.10.3 and 2.11 on',
};

/** What the primary's systeminfo told: its `harbor_version` (null: not shown), or the error. */
export type ReleaseReading =
  { harborVersion: string | null } | { error: string };

/**
 * The matching of a run.
 * @param setting the config's choice; `auto` uses `reading`.
 * @param reading what `GET /systeminfo` gave (absent when nothing was read).
 */
export function resolveMatching(
  setting: DoublestarSetting,
  reading?: ReleaseReading
): Matching {
  if (setting !== 'auto') {
    return {
      doublestar: setting,
      source: 'config',
      note: `doublestar ${setting} (${RELEASES[setting]}), set by the config (primary.doublestar)`,
    };
  }
  const guess = (why: string): Matching => ({
    doublestar: 'v1.3.4',
    source: 'default',
    ...(reading && 'harborVersion' in reading && reading.harborVersion
      ? { harborVersion: reading.harborVersion }
      : {}),
    note: `doublestar v1.3.4 (${RELEASES['v1.3.4']}), a guess: ${why}; a primary on 2.8.0–2.9.4 or 2.10.0–2.10.2 reads braces differently (set primary.doublestar)`,
  });
  if (reading === undefined) return guess("the primary's release was not read");
  if ('error' in reading) {
    return guess(
      `the primary's release could not be read (GET /systeminfo: ${reading.error})`
    );
  }
  if (reading.harborVersion === null) {
    return guess(
      "the primary's systeminfo does not show harbor_version (it is shown to authenticated users only)"
    );
  }
  const { version, known } = harborDoublestarVersion(reading.harborVersion);
  if (!known) {
    return guess(
      `the primary's release ${JSON.stringify(reading.harborVersion)} is not one whose doublestar is known (2.8 to 2.16)`
    );
  }
  return {
    doublestar: version,
    source: 'systeminfo',
    harborVersion: reading.harborVersion,
    note: `doublestar ${version}, the library of Harbor ${reading.harborVersion} (GET /systeminfo)`,
  };
}
