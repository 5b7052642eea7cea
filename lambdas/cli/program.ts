import {
  Command,
  CommanderError,
  InvalidArgumentError,
  Option,
} from 'commander';
import { ConfigError, errorMessage, RefError } from '../core/errors';
import { redact } from '../shared/redact';
// Types only: each command's module (the HTTP client, the AWS SDK, the lab) loads when the
// command runs, so that `--version`, `--help` and `validate-config` start quickly. `require`
// (with a literal path), not `import()`: tsx (the unbundled bin) and jest hook CommonJS
// loading only, and esbuild bundles such a `require` as a deferred initialisation.
import type * as AuditModule from './commands/audit';
import type * as ExplainModule from './commands/explain';
import type * as LabModule from './commands/lab';
import type * as PlanModule from './commands/plan';
import type * as ReadinessModule from './commands/readiness';
import type * as ReportModule from './commands/report';
import type { ReportOptions } from './commands/report';
import type { RunOptions } from './commands/run-job';
import type * as ValidateConfigModule from './commands/validate-config';
import type * as ConfigChecksModule from './config-checks';
import type * as ConfigSchemaModule from './config-schema';
import { EXIT, type ExitCode } from './exit-codes';
import type { CliIo } from './io';
import type { ProgressMode } from './progress';

const EXIT_CODES_HELP = `
Exit codes:
  0  in sync / ready / valid
  1  problems found (findings, DEGRADED, NOT_READY)
  2  incomplete: something could not be seen (UNKNOWN)
  3  bad usage or configuration: nothing ran
  4  internal error`;

/**
 * Runs the `harbor-dr` command line and resolves to its exit code; never calls process.exit,
 * so that tests run it in-process.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  version: string,
  /** Resolves when the user asks long-running commands (`lab`) to stop. */
  signals?: { stopped: Promise<unknown> }
): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const env = io.env ?? process.env;
  /** Set by a command run with --json: its errors are JSON on stdout too. */
  const mode = { json: false };
  const configOf = (opts: { config?: string; json?: boolean }): string => {
    mode.json = opts.json === true;
    return configChecks().configPathOf(opts.config, env);
  };
  /** What `audit` and `readiness` pass on: the config path and the progress mode resolved. */
  const runOptionsOf = <T extends RunFlags>(
    opts: T
  ): T & { config: string; progress: ProgressMode } => ({
    ...opts,
    config: configOf(opts),
    progress: progressMode(opts),
  });
  const program = new Command('harbor-dr')
    .description(
      'Audits Harbor replication: replica inventories, replication health, RPO, metadata drift and failover readiness.'
    )
    .version(version, '-v, --version')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.out(s);
      },
      writeErr: (s) => {
        io.err(s);
      },
    })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('validate-config')
    .description(
      'check a configuration file (schema, credential variables and files; with --online, the registries) and show what it will audit'
    )
    .addOption(configOption())
    .option(
      '--json',
      'print the validated configuration (or the problems) as JSON'
    )
    .option(
      '-t, --target <name...>',
      'also check that these target names are configured'
    )
    .option(
      '--online',
      "also resolve every credential (Secrets Manager too), probe each registry and check each target against the primary's registry endpoints and policies"
    )
    .option('-q, --quiet', 'on success, print only the line that says so')
    .action(
      async (opts: {
        config?: string;
        json?: boolean;
        target?: string[];
        online?: boolean;
        quiet?: boolean;
      }) => {
        const config = configOf(opts);
        const { validateConfigCommand } =
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require('./commands/validate-config') as typeof ValidateConfigModule;
        code = await validateConfigCommand({ ...opts, config }, io, env);
      }
    );

  program
    .command('config-schema')
    .description(
      'print the JSON Schema of the configuration file (for editors: yaml-language-server)'
    )
    .action(() => {
      const { configJsonSchema } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('./config-schema') as typeof ConfigSchemaModule;
      io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  program
    .command('plan')
    .description('show what each replication policy should put on each target')
    .addOption(configOption())
    .option('--json', 'print the plan as JSON')
    .option('-t, --target <name...>', 'plan only these targets')
    .addOption(concurrencyOption())
    .action(
      async (opts: {
        config?: string;
        json?: boolean;
        target?: string[];
        concurrency: number;
      }) => {
        const config = configOf(opts);
        const { planCommand } =
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require('./commands/plan') as typeof PlanModule;
        code = await planCommand({ ...opts, config }, io);
      }
    );

  runJobOptions(program.command('audit'), {
    description:
      'compare every target with what the policies promise; write reports',
    target: 'audit only these targets',
    deadlineMinutes: 14,
  })
    .option(
      '--retrigger',
      're-trigger policies that need it (overrides retrigger.enabled)'
    )
    .option('--no-retrigger', 'never start or stop executions in this run')
    .action(async (opts: RunFlags & { retrigger?: boolean }) => {
      const options = runOptionsOf(opts);
      const { auditCommand } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('./commands/audit') as typeof AuditModule;
      code = await auditCommand(options, io, version);
    });

  program
    .command('explain')
    .description(
      'why a primary ref is or is not on each target: policies and filters, destination, what the target holds, tasks, re-trigger'
    )
    .argument('<ref>', 'project/repository:tag or project/repository@digest')
    .addOption(configOption())
    .option('--json', 'print the explanation as JSON')
    .option('-t, --target <name...>', 'explain only these targets')
    .addOption(concurrencyOption())
    .action(
      async (
        ref: string,
        opts: {
          config?: string;
          json?: boolean;
          target?: string[];
          concurrency: number;
        }
      ) => {
        const config = configOf(opts);
        const { explainCommand } =
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require('./commands/explain') as typeof ExplainModule;
        code = await explainCommand(ref, { ...opts, config }, io);
      }
    );

  runJobOptions(program.command('readiness'), {
    description:
      'one failover verdict per target from its checklist (audit, RPO, metadata drift, health); write reports',
    target: 'check only these targets',
    deadlineMinutes: 4,
  }).action(async (opts: RunFlags) => {
    const options = runOptionsOf(opts);
    const { readinessCommand } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./commands/readiness') as typeof ReadinessModule;
    code = await readinessCommand(options, io, version);
  });

  program
    .command('report')
    .description(
      'render a stored report again (the newest by default): Markdown, or --html for the self-contained HTML report with history charts'
    )
    .option(
      '-d, --dir <dir>',
      'the reports directory (audit --out)',
      './reports'
    )
    .addOption(
      new Option('--kind <kind>', 'only reports of this kind').choices([
        'audit',
        'readiness',
      ])
    )
    .option('--run <runId>', 'this run instead of the newest')
    .option('--html', 'the HTML report instead of the Markdown')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (opts: ReportOptions) => {
      const { reportCommand } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('./commands/report') as typeof ReportModule;
      code = await reportCommand(opts, io);
    });

  program
    .command('lab')
    .description(
      'start the embedded demo lab (emulated Harbors, real or in-memory registries) and write its config'
    )
    .addOption(
      new Option(
        '--port-base <n>',
        'first port (default: random ports)'
      ).argParser(positiveInt)
    )
    .option('--dir <dir>', 'where the config and credential files go', './.lab')
    .action(async (opts: { portBase?: number; dir: string }) => {
      const { labCommand } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('./commands/lab') as typeof LabModule;
      code = await labCommand(
        { ...opts, until: signals?.stopped ?? new Promise(() => undefined) },
        io
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof RefError) {
      io.err(`harbor-dr: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      if (mode.json) {
        io.out(
          `${JSON.stringify({ valid: false, error: err.code, message: err.message.split('\n')[0] ?? '', problems: err.problems.map(configChecks().problemAsJson) }, null, 2)}\n`
        );
      } else io.err(`harbor-dr: ${err.message}\n`);
      return EXIT.USAGE;
    }
    // An unforeseen error may quote anything it met: scrub the secrets this run resolved.
    io.err(`harbor-dr: internal error: ${redact(errorMessage(err))}\n`);
    return EXIT.INTERNAL;
  }
}

/** The configuration checks (zod, YAML), loaded by the first command that reads a config. */
function configChecks(): typeof ConfigChecksModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./config-checks') as typeof ConfigChecksModule;
}

function configOption(): Option {
  return new Option(
    '-c, --config <file>',
    'configuration file (YAML or JSON); default: $HARBOR_DR_CONFIG'
  );
}

/** The flags of `audit` and `readiness` as commander parses them. */
type RunFlags = Omit<RunOptions, 'config' | 'progress'> & {
  config?: string;
  quiet?: boolean;
  verbose?: boolean;
};

/** The options `audit` and `readiness` share (commands/run-job.ts: RunOptions). */
function runJobOptions(
  command: Command,
  text: { description: string; target: string; deadlineMinutes: number }
): Command {
  return command
    .description(text.description)
    .addOption(configOption())
    .option('-o, --out <dir>', 'directory for the reports', './reports')
    .option('--json', 'print the JSON report instead of the summary')
    .option('-t, --target <name...>', text.target)
    .addOption(concurrencyOption())
    .addOption(
      new Option(
        '--deadline-minutes <n>',
        'report what is not done by then as not audited'
      )
        .default(text.deadlineMinutes)
        .argParser(positiveInt)
    )
    .addOption(metricsFileOption())
    .addOption(quietOption())
    .addOption(verboseOption());
}

function metricsFileOption(): Option {
  return new Option(
    '--metrics-file <path>',
    'also write OpenMetrics for the node_exporter textfile collector (e.g. /var/lib/node_exporter/harbor-dr.prom)'
  );
}

function quietOption(): Option {
  return new Option(
    '-q, --quiet',
    'show nothing while the run goes: only errors and the final result'
  ).conflicts('verbose');
}

function verboseOption(): Option {
  return new Option(
    '--verbose',
    'one line on stderr per shard and per target as it finishes (requests, UNKNOWN reasons), on a terminal or not'
  );
}

/** Progress on stderr: a redrawn line when it is a terminal, unless --quiet; --verbose adds lines. */
function progressMode(opts: {
  quiet?: boolean;
  verbose?: boolean;
}): ProgressMode {
  if (opts.quiet) return 'quiet';
  return opts.verbose ? 'verbose' : 'normal';
}

function concurrencyOption(): Option {
  return new Option(
    '--concurrency <n>',
    'requests in flight per registry that sets no maxConcurrency'
  )
    .default(8)
    .argParser(positiveInt);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new InvalidArgumentError('must be a whole number from 1 to 256');
  }
  return n;
}
