import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HarborDrStack } from '../../lib/harbor-dr-stack';
import { exampleConfig } from './helpers/stack';

describe('bundling (real esbuild, no Docker)', () => {
  it('builds each handler into a minified CJS bundle with a source map, and reports sizes', () => {
    // Arrange
    const outdir = mkdtempSync(join(tmpdir(), 'harbor-dr-bundle-'));
    const app = new App({ outdir });
    const stack = new HarborDrStack(app, 'Bundle', {
      config: exampleConfig(),
    });

    // Act
    const assembly = app.synth();

    // Assert
    const functionCount = Object.keys(
      Template.fromStack(stack).findResources('AWS::Lambda::Function')
    ).length;
    expect(functionCount).toBe(2); // audit and readiness
    const bundles = readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(assembly.directory, d))
      // The config asset is a file, beside the bundles' directories.
      .filter((d) => statSync(d).isDirectory())
      .filter((d) => readdirSync(d).includes('index.js'));
    expect(bundles).toHaveLength(functionCount);
    const sizes: Record<string, string> = {};
    for (const dir of bundles) {
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      // CommonJS, the SDK inside (bundleAwsSDK), minified (long lines), source-mapped.
      expect(code).toMatch(/module\.exports/);
      expect(code).toContain('PutObjectCommand');
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(code).toContain('//# sourceMappingURL=index.js.map');
      const bytes = statSync(join(dir, 'index.js')).size;
      expect(bytes).toBeLessThan(6 * 1024 * 1024);
      sizes[dir.slice(dir.lastIndexOf('/') + 1, dir.lastIndexOf('/') + 19)] =
        `${(bytes / 1024).toFixed(0)} KiB`;
    }
    expect(Object.keys(sizes).length).toBeGreaterThan(0);
    process.stdout.write(`bundle sizes: ${JSON.stringify(sizes)}\n`);
  }, 120_000);
});
