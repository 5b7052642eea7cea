/** Where the CLI writes, and what it reads of its process: the real one in production, fakes in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The environment (HARBOR_DR_CONFIG, credential variables). @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress is shown only then). @default false */
  errIsTty?: boolean;
  /** Milliseconds for the progress display's rates and ETA. @default Date.now */
  now?: () => number;
}

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  errIsTty: process.stderr.isTTY,
};
