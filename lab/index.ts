import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { LabClock } from './harbor/clock';
import { startHarbor, type LabHarbor } from './harbor/server';
import {
  DISTRIBUTION_BINARY,
  startDistributionRegistry,
} from './registry/distribution';
import { startMemoryRegistry } from './registry/memory-registry';
import type { PlainRegistry } from './registry/plain-registry';
import {
  applyAction,
  applyHarborSpec,
  type EndpointInfo,
} from './scenarios/apply';
import { demoScenario } from './scenarios/demo';
import { scenarioSchema, type ScenarioInput } from './scenarios/schema';

export { startHarbor, type LabHarbor } from './harbor/server';
export { LabClock } from './harbor/clock';
export {
  scenarioSchema,
  type Scenario,
  type ScenarioInput,
} from './scenarios/schema';
export { demoScenario } from './scenarios/demo';

/** Username and password. */
export interface LabCredentials {
  username: string;
  password: string;
}

/** One running emulated Harbor of a lab. */
export interface LabHarborEndpoint {
  name: string;
  url: string;
  admin: LabCredentials;
  /** A sysadmin account made for the auditor (writeConfig uses it). */
  auditor: LabCredentials;
  harbor: LabHarbor;
}

/** One running plain registry of a lab. */
export interface LabRegistryEndpoint {
  name: string;
  url: string;
  kind: 'distribution' | 'memory';
  username?: string;
  password?: string;
}

/** A running lab. */
export interface Lab {
  /** The first Harbor of the scenario. */
  primary: LabHarborEndpoint;
  /** The second Harbor, if the scenario has one (the DR site). */
  secondary: LabHarborEndpoint | undefined;
  harbors: LabHarborEndpoint[];
  registries: LabRegistryEndpoint[];
  clock: LabClock;
  /** Writes a harbor-dr config (primary, every other Harbor and registry as targets) and credential files. */
  writeConfig(dir: string): { configPath: string; credentialsFiles: string[] };
  stop(): Promise<void>;
}

/** Options of {@link startLab}. */
export interface LabOptions {
  /** First port; Harbors take portBase, portBase+1, …, then the registries. Default: random ports. */
  portBase?: number;
  /** Use the real docker-registry for `auto` registries when installed (default true). */
  preferRealRegistry?: boolean;
}

function loadScenario(input: ScenarioInput | string) {
  if (typeof input !== 'string') return scenarioSchema.parse(input);
  const text = readFileSync(input, 'utf8');
  return scenarioSchema.parse(
    input.endsWith('.json') ? JSON.parse(text) : parse(text)
  );
}

/**
 * Starts every Harbor and plain registry of a scenario (object, or a JSON/YAML file path), seeds
 * them, runs the scenario's actions, and returns the running lab.
 */
export async function startLab(
  scenarioInput: ScenarioInput | string,
  opts: LabOptions = {}
): Promise<Lab> {
  const scenario = loadScenario(scenarioInput);
  // Clients (the auditor) read the real clock, so a scenario's story must end now: the lab
  // clock starts as far in the past as the scenario's actions will move it forward.
  const travelMs = scenario.actions.reduce(
    (ms, a) => (a.type === 'advance-clock' ? ms + a.seconds * 1000 : ms),
    0
  );
  const clock = new LabClock(-travelMs);
  const harbors: LabHarborEndpoint[] = [];
  const plain: (PlainRegistry & { name: string })[] = [];
  let port = opts.portBase;
  const nextPort = (): { port?: number } =>
    port === undefined ? {} : { port: port++ };
  const stopAll = async () => {
    await Promise.allSettled(harbors.map((h) => h.harbor.stop()));
    await Promise.allSettled(plain.map((r) => r.stop()));
  };
  try {
    for (const spec of scenario.harbors) {
      const h = await startHarbor({
        name: spec.name,
        ...nextPort(),
        admin: spec.admin,
        clock,
        version: spec.harborVersion,
      });
      harbors.push({
        name: spec.name,
        url: h.url,
        admin: spec.admin,
        auditor: spec.auditor,
        harbor: h,
      });
    }
    for (const r of scenario.registries) {
      const real =
        r.kind === 'distribution' ||
        (r.kind === 'auto' &&
          opts.preferRealRegistry !== false &&
          existsSync(DISTRIBUTION_BINARY));
      const auth =
        r.auth === 'basic'
          ? {
              auth: 'basic' as const,
              username: r.username,
              password: r.password,
            }
          : { auth: 'none' as const };
      const reg = real
        ? await startDistributionRegistry({ ...nextPort(), ...auth })
        : await startMemoryRegistry({ ...nextPort(), ...auth });
      plain.push({ ...reg, name: r.name });
    }
    const endpoints = (target: string): EndpointInfo => {
      const h = harbors.find((x) => x.name === target);
      if (h)
        return {
          url: h.url,
          type: 'harbor',
          username: h.admin.username,
          password: h.admin.password,
        };
      const r = plain.find((x) => x.name === target);
      if (r) {
        return {
          url: r.url,
          type: 'docker-registry',
          ...(r.username !== undefined
            ? { username: r.username, password: r.password ?? '' }
            : {}),
        };
      }
      if (/^https?:\/\//.test(target))
        return { url: target, type: 'docker-registry' };
      throw new Error(`unknown registry target ${target}`);
    };
    for (const [i, spec] of scenario.harbors.entries()) {
      const h = harbors[i];
      if (h) await applyHarborSpec(h.harbor, spec, endpoints);
    }
    const byName = (name: string) => {
      const h = harbors.find((x) => x.name === name);
      if (!h) throw new Error(`unknown harbor ${name}`);
      return h;
    };
    for (const action of scenario.actions) {
      await applyAction(
        action,
        (n) => byName(n).harbor,
        (n) => byName(n).admin,
        (ms) => clock.advance(ms)
      );
      await Promise.all(harbors.map((h) => h.harbor.idle()));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const [primary] = harbors;
  if (!primary) throw new Error('a scenario needs at least one Harbor');
  const registries: LabRegistryEndpoint[] = plain.map((r) => ({
    name: r.name,
    url: r.url,
    kind: r.kind,
    ...(r.username !== undefined
      ? { username: r.username, password: r.password ?? '' }
      : {}),
  }));
  return {
    primary,
    secondary: harbors[1],
    harbors,
    registries,
    clock,
    writeConfig: (dir) =>
      writeLabConfig(dir, primary, harbors.slice(1), registries),
    stop: stopAll,
  };
}

/** Writes the harbor-dr config YAML (lambdas/shared/config.ts schema) and JSON credential files. */
function writeLabConfig(
  dir: string,
  primary: LabHarborEndpoint,
  harborTargets: LabHarborEndpoint[],
  registries: LabRegistryEndpoint[]
): { configPath: string; credentialsFiles: string[] } {
  const root = resolve(dir);
  const credDir = join(root, 'credentials');
  mkdirSync(credDir, { recursive: true });
  const files: string[] = [];
  const cred = (name: string, c: LabCredentials) => {
    const path = join(credDir, `${name}.json`);
    writeFileSync(
      path,
      `${JSON.stringify({ username: c.username, password: c.password })}\n`,
      { mode: 0o600 }
    );
    chmodSync(path, 0o600);
    files.push(path);
    return { file: path };
  };
  const config = {
    primary: {
      name: primary.name,
      url: primary.url,
      credentials: cred(primary.name, primary.auditor),
      verifyTls: false,
    },
    targets: [
      ...harborTargets.map((h) => ({
        name: h.name,
        url: h.url,
        kind: 'harbor',
        credentials: cred(h.name, h.auditor),
        verifyTls: false,
      })),
      ...registries.map((r) => ({
        name: r.name,
        url: r.url,
        kind: 'distribution',
        ...(r.username !== undefined
          ? {
              credentials: cred(r.name, {
                username: r.username,
                password: r.password ?? '',
              }),
            }
          : {}),
        verifyTls: false,
      })),
    ],
    policies: 'auto',
    rpoObjectiveMinutes: 60,
  };
  const configPath = join(root, 'harbor-dr.yaml');
  writeFileSync(
    configPath,
    `# written by the harbor-dr lab\n${stringify(config)}`
  );
  return { configPath, credentialsFiles: files };
}

/** The demo lab: a primary, a secondary Harbor (DR site) and two cluster registries. */
export type DemoLab = Lab & { secondary: LabHarborEndpoint };

/** Starts the built-in demo scenario (see lab/scenarios/demo.ts). */
export async function startDemoLab(
  opts: { portBase?: number; preferRealRegistry?: boolean } = {}
): Promise<DemoLab> {
  const lab = await startLab(demoScenario(), opts);
  const { secondary } = lab;
  if (!secondary) {
    await lab.stop();
    throw new Error('the demo scenario has no secondary Harbor');
  }
  return { ...lab, secondary };
}
