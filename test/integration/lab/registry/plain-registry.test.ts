import {
  startDistributionRegistry,
  startPlainRegistry,
} from '../../../../lab/registry/distribution';
import { DOCKER_REGISTRY, h, raw, requireBinary } from './helpers';

describe('startPlainRegistry / startDistributionRegistry', () => {
  it('starts the real docker-registry when it is installed and says so', async () => {
    requireBinary(DOCKER_REGISTRY, 'docker-registry');
    const registry = await startPlainRegistry({ auth: 'basic' });
    try {
      expect(registry.kind).toBe('distribution');
      expect(registry.version).toMatch(/^v?2\.8\./);
      const anonymous = await raw('GET', `${registry.url}/v2/`);
      expect([anonymous.status, h(anonymous, 'www-authenticate')]).toEqual([
        401,
        'Basic realm="basic-realm"',
      ]);
      const b64 = Buffer.from(
        `${registry.username}:${registry.password}`
      ).toString('base64');
      const ok = await raw('GET', `${registry.url}/v2/`, {
        authorization: `Basic ${b64}`,
      });
      expect(ok.status).toBe(200);
    } finally {
      await registry.stop();
    }
    // stop() really ends the process.
    await expect(raw('GET', `${registry.url}/v2/`)).rejects.toThrow(
      /ECONNREFUSED/
    );
  });

  it('falls back to the memory registry on request', async () => {
    const registry = await startPlainRegistry({ prefer: 'memory' });
    try {
      expect(registry.kind).toBe('memory');
      expect((await raw('GET', `${registry.url}/v2/`)).status).toBe(200);
    } finally {
      await registry.stop();
    }
  });

  it('names the missing binary', async () => {
    await expect(
      startDistributionRegistry({ binary: '/nonexistent/docker-registry' })
    ).rejects.toThrow(
      'docker-registry binary not found at /nonexistent/docker-registry'
    );
  });
});
