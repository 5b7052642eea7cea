/** Builds task log lines in the shape of Harbor's jobservice logger. */
export class TaskLog {
  constructor(
    private readonly lines: string[],
    private readonly now: () => Date
  ) {}

  private line(level: string, source: string, msg: string): void {
    const ts = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    this.lines.push(`${ts} [${level}] [${source}]: ${msg}`);
  }

  info(
    msg: string,
    source = '/controller/replication/transfer/image/transfer.go:171'
  ): void {
    this.line('INFO', source, msg);
  }

  warning(
    msg: string,
    source = '/controller/replication/transfer/image/transfer.go:349'
  ): void {
    this.line('WARNING', source, msg);
  }

  error(
    msg: string,
    source = '/controller/replication/transfer/image/transfer.go:180'
  ): void {
    this.line('ERROR', source, msg);
  }
}
