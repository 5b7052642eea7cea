/**
 * `npm run chaos -- --runs N --seed S [--run K[,K...]] [--keep DIR] [--quiet] [--verbose]`: the fault campaign.
 * Prints the runs, the faults drawn (and reached) by kind, and the problems found; every
 * failing run is named by its seed and index, with the command that replays it alone.
 * Exit code 1 when any problem count is non-zero, 3 on bad arguments, 4 when the campaign
 * could not run.
 */
import { formatCampaign } from './format';
import { runCampaign } from './campaign';

interface Args {
  runs: number;
  seed: number;
  only?: number[];
  keep?: string;
  quiet: boolean;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    runs: 50,
    seed: Date.now() % 1_000_000,
    quiet: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a ?? ''} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = value();
      if (!/^\d+$/.test(v))
        throw new Error(`${a ?? ''} must be a whole number, not ${v}`);
      return Number(v);
    };
    if (a === '--runs') args.runs = int();
    else if (a === '--seed') args.seed = int();
    else if (a === '--run') {
      const v = value();
      if (!/^\d+(,\d+)*$/.test(v))
        throw new Error(`--run takes run indexes (3 or 3,7,12), not ${v}`);
      args.only = v.split(',').map(Number);
    } else if (a === '--keep') args.keep = value();
    else if (a === '--quiet') args.quiet = true;
    else if (a === '--verbose') args.verbose = true;
    else
      throw new Error(
        `unknown argument ${a ?? ''} (use --runs N --seed S [--run K[,K...]] [--keep DIR] [--quiet] [--verbose])`
      );
  }
  if (args.only !== undefined)
    args.runs = Math.max(args.runs, ...args.only.map((k) => k + 1));
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(
      `chaos: ${err instanceof Error ? err.message : String(err)}\n`
    );
    return 3;
  }
  const write = (line: string) => process.stdout.write(`${line}\n`);
  write(
    `Fault campaign: ${args.only !== undefined ? `run ${args.only.join(', ')} of ` : ''}${args.runs.toString()} runs, seed ${args.seed.toString()}`
  );
  const result = await runCampaign({
    runs: args.runs,
    seed: args.seed,
    ...(args.only !== undefined ? { only: args.only } : {}),
    ...(args.keep !== undefined ? { keepDir: args.keep } : {}),
    progress: args.quiet ? undefined : write,
    verbose: args.verbose,
  });
  write(formatCampaign(result));
  return result.failing.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `chaos: the campaign could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
    );
    process.exit(4);
  }
);
