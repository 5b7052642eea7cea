/**
 * Which bmatcuk/doublestar v1 a Harbor release links (its `src/go.mod`): the two disagree
 * on braces (harbor-semantics, "Correction"), so a filter's meaning depends on the release.
 */
export type DoublestarVersion = 'v1.1.1' | 'v1.3.4';

/** The library of the newest releases: the guess when the release is not known. */
export const DEFAULT_DOUBLESTAR: DoublestarVersion = 'v1.3.4';

/**
 * The newest minor release whose go.mod we have read (main is the v2.16 dev line); a later
 * one may have changed library, so it is answered as a guess.
 */
const NEWEST_KNOWN_MINOR = 16;

/**
 * Maps systeminfo's `harbor_version` (`v2.10.1-b7b88476`, `2.9.5`) to its doublestar:
 * v1.1.1 in 2.8.0–2.9.4 and 2.10.0–2.10.2, v1.3.4 from 2.9.5, 2.10.3 and 2.11 on.
 * Anything unreadable or outside 2.8–2.16 is answered v1.3.4 with `known: false`.
 */
export function harborDoublestarVersion(harborVersion: string | undefined): {
  version: DoublestarVersion;
  known: boolean;
} {
  const unknown = { version: DEFAULT_DOUBLESTAR, known: false };
  if (harborVersion === undefined) return unknown;
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?![\d.])/.exec(harborVersion.trim());
  if (m === null) return unknown;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  if (major !== 2 || minor === undefined || patch === undefined) return unknown;
  if (minor < 8 || minor > NEWEST_KNOWN_MINOR) return unknown;
  const old =
    minor === 8 || (minor === 9 && patch <= 4) || (minor === 10 && patch <= 2);
  return { version: old ? 'v1.1.1' : 'v1.3.4', known: true };
}
