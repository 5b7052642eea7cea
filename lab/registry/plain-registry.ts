/** A plain "cluster" registry the lab started: real distribution or the in-memory one. */
export interface PlainRegistry {
  /** Base URL, e.g. http://127.0.0.1:5000 (no trailing slash). */
  url: string;
  kind: 'distribution' | 'memory';
  version?: string;
  username?: string;
  password?: string;
  stop(): Promise<void>;
}
