import { spawnSync } from 'node:child_process';

// The installed command, as operators run it: `npx harbor-dr ...` through the bin shim.
function harborDr(...args: string[]) {
  return spawnSync(process.execPath, ['bin/harbor-dr-cli.js', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the harbor-dr command', () => {
  it.each([
    'examples/harbor-dr.yaml',
    'examples/local.yaml',
    'examples/minimal.json',
  ])(
    'validates %s',
    (file) => {
      const run = harborDr('validate-config', '--config', file);

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`${file}: valid`);
    },
    60_000
  );

  it('exits 3 and names the field on a broken config', () => {
    const run = harborDr(
      'validate-config',
      '-c',
      'test/infra/fixtures/bad-config.yaml'
    );

    expect(run.status).toBe(3);
    expect(run.stderr).toContain('targets[0].kind');
  }, 60_000);
});
