import { SEMI_SPACE_MIB } from '../../../lib/constructs/node-options';
import { cliNodeFlags } from '../../../scripts/bench/exec';

describe('the benchmark audits with the Node.js flags harbor-dr starts with', () => {
  it('reads them from the bin: the young generation bounded', () => {
    expect(cliNodeFlags()).toEqual(['--max-semi-space-size=16']);
  });

  it('the Lambda functions bound the young generation as the command does', () => {
    expect(cliNodeFlags()).toContain(
      `--max-semi-space-size=${SEMI_SPACE_MIB.toString()}`
    );
  });

  it('reads a plain shebang as no flags, and several flags in order', () => {
    expect(cliNodeFlags('#!/usr/bin/env node\n')).toEqual([]);
    expect(
      cliNodeFlags(
        '#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=460\n'
      )
    ).toEqual(['--max-semi-space-size=8', '--max-old-space-size=460']);
  });

  it('refuses a first line it cannot read, saying what it expected', () => {
    expect(() => cliNodeFlags('#!/bin/sh\n')).toThrow(
      /expected a shebang '#!\/usr\/bin\/env -S node/
    );
  });
});
