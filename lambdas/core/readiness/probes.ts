/** What readiness probes on a Harbor besides its metadata: health, version and clock, storage. */

/** Harbor's own health (`GET /health`). */
export interface HarborHealth {
  status: string;
  components: { name: string; status: string; error?: string }[];
}

/** The parts of `GET /systeminfo` readiness uses. */
export interface HarborSystemInfo {
  version: string | null;
  authMode: string | null;
  /** The instance's own clock (ISO). */
  currentTime: string | null;
  readOnly: boolean | null;
}

/** Local storage of an instance (`GET /systeminfo/volumes`), or null where it is not shown. */
export type StorageVolumes = { total: number; free: number }[] | null;
