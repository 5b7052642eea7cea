import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The bin is plain CommonJS (it must start without a TypeScript loader).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chooseEntry } = require('../../../bin/harbor-dr-cli.js') as {
  chooseEntry: (bundle: string) => { entry: 'bundle' | 'tsx'; reason: string };
};

describe('bin/harbor-dr-cli.js: which entry runs', () => {
  let root: string;
  let bundle: string;
  const at = (path: string, seconds: number): void => {
    utimesSync(path, seconds, seconds);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'harbor-dr-entry-'));
    mkdirSync(join(root, 'dist'));
    mkdirSync(join(root, 'src'));
    bundle = join(root, 'dist', 'harbor-dr.cjs');
    writeFileSync(join(root, 'src', 'a.ts'), '');
    writeFileSync(join(root, 'src', 'b.ts'), '');
    writeFileSync(bundle, '');
    writeFileSync(
      join(root, 'dist', 'harbor-dr.inputs.json'),
      JSON.stringify({ inputs: ['../src/a.ts', '../src/b.ts'] })
    );
    at(join(root, 'src', 'a.ts'), 1_000);
    at(join(root, 'src', 'b.ts'), 1_000);
    at(bundle, 2_000);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('runs the bundle when no input is newer', () => {
    expect(chooseEntry(bundle)).toEqual({
      entry: 'bundle',
      reason: 'up to date',
    });
  });

  it('runs tsx when a source file was edited after the build', () => {
    at(join(root, 'src', 'b.ts'), 3_000);

    expect(chooseEntry(bundle)).toEqual({
      entry: 'tsx',
      reason: '../src/b.ts is newer than the bundle',
    });
  });

  it('runs tsx when a source file is gone', () => {
    rmSync(join(root, 'src', 'a.ts'));

    expect(chooseEntry(bundle).entry).toBe('tsx');
  });

  it('runs tsx without a bundle, or without its list of inputs', () => {
    rmSync(join(root, 'dist', 'harbor-dr.inputs.json'));

    expect(chooseEntry(bundle)).toEqual({
      entry: 'tsx',
      reason: 'the bundle lists no inputs',
    });

    rmSync(bundle);

    expect(chooseEntry(bundle).reason).toMatch(/^no bundle/);
  });
});
