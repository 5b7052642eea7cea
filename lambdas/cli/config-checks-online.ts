/**
 * `validate-config --online`: what only the registries can tell about a configuration. Every
 * credential is resolved, every endpoint probed, each target matched against the primary's
 * registry endpoints and policies; every problem is collected (never the first only), each
 * naming its config field. Built on the run's own composition (compose/endpoints, the target
 * drivers, the Harbor client): the same pools, credentials and clients an audit uses.
 * Secret values are never printed: messages name variables, files, secret ids and statuses.
 */
import { HarborClient } from '../adapters/harbor/harbor-client';
import type { CredentialsResolver } from '../adapters/secrets/credentials';
import { TARGET_DRIVERS } from '../compose/drivers';
import {
  clientOptions,
  describeCredentialFailure,
  endpoints,
} from '../compose/endpoints';
import type { Endpoint } from '../compose/endpoints';
import { AuthError, errorMessage } from '../core/errors';
import { canonicalUrl } from '../core/harbor/urls';
import { selectPolicies } from '../core/inventory/discover';
import type { RegistryEndpoint, ReplicationPolicy } from '../core/model';
import type { HarborApi, HarborIdentity } from '../core/ports';
import type {
  HarborDrConfig,
  PrimaryConfig,
  TargetConfig,
} from '../shared/config';
import { redact } from '../shared/redact';
import { closest } from '../shared/suggest';

/** What was learnt of one configured registry. */
export interface EndpointReport {
  /** The config field of the registry: `primary`, `targets[2]`. */
  field: string;
  name: string;
  url: string;
  /** Whether its API answered (null: not probed, e.g. its credentials could not be read). */
  reachable: boolean | null;
  /** Harbor's release from /systeminfo (Harbors only; null: not shown). */
  harborVersion?: string | null;
  /** Who the credentials authenticate as, when they do. */
  authenticatedAs?: string;
  /** Targets: the primary's registry endpoints whose URL is this target's. */
  registryEndpoints?: { id: number; name: string; url: string }[];
  /** Targets: the policies in scope that replicate to it (`name (push)`). */
  policies?: string[];
  /** The primary: how many registry endpoints and policies it has. */
  counts?: { registryEndpoints: number; policies: number };
}

/** The outcome of the online checks. */
export interface OnlineCheck {
  /** Every problem, one line each: `targets[2].credentials: rejected: ...`. */
  problems: string[];
  endpoints: EndpointReport[];
}

/** Options of {@link checkConfigOnline}. */
export interface OnlineCheckOptions {
  resolveCredentials: CredentialsResolver;
  /**
   * Problems already reported (the offline checks): an online problem of the same field (or
   * a field inside it) is not said twice, e.g. an unset variable and "cannot be read".
   */
  alreadyReported?: readonly string[];
  /** Aborts every request when it fires (the command's deadline). */
  signal?: AbortSignal;
}

/** Requests in flight per registry: a probe sends a handful. */
const PROBE_CONCURRENCY = 2;

/**
 * Probes what the configuration points at.
 *
 * Primary course:
 * 1. resolve every credential (env, file, Secrets Manager), the operator's too;
 * 2. the primary: GET /systeminfo, who the credentials are (GET /users/current), its registry
 *    endpoints (GET /registries) and replication policies;
 * 3. each target: Harbor: GET /systeminfo and /users/current (and its pull policies); plain
 *    registry: GET /v2/ with the credentials;
 * 4. each target against the primary's registry endpoints (canonical URLs) and the policies
 *    in scope: a target no policy in scope reaches would be audited as "nothing expected".
 * Unreachable registries and rejected credentials are problems of their field; what a
 * problem leaves unchecked is not reported again.
 */
export async function checkConfigOnline(
  config: HarborDrConfig,
  options: OnlineCheckOptions
): Promise<OnlineCheck> {
  const failures = new Map<string, unknown>();
  // The resolver as the run uses it, remembering why a credential could not be read.
  const resolver: CredentialsResolver = async (ref, owner) => {
    try {
      return await options.resolveCredentials(ref, owner);
    } catch (err) {
      failures.set(owner, err);
      throw err;
    }
  };
  const pools = endpoints(resolver, PROBE_CONCURRENCY, options.signal);
  const problems = new Problems(options.alreadyReported ?? []);
  try {
    const open = async <C extends PrimaryConfig | TargetConfig>(
      field: string,
      registry: C
    ): Promise<Endpoint<C> | undefined> => {
      let endpoint: Endpoint<C>;
      try {
        endpoint = await pools.open(registry);
      } catch (err) {
        // The only failure of open(): an unreadable CA bundle.
        problems.add(`${field}.caBundle`, errorMessage(err));
        return undefined;
      }
      if (endpoint.unavailable !== undefined) {
        problems.add(
          `${field}.credentials`,
          `cannot be read: ${describeFailure(failures.get(registry.name), endpoint.unavailable)}`
        );
      }
      return endpoint;
    };

    const [primary, targets] = await Promise.all([
      checkPrimary(config.primary, open, resolver, problems),
      Promise.all(
        config.targets.map((t, i) =>
          checkTarget(`targets[${i}]`, t, open, problems)
        )
      ),
    ]);
    const { registries, policies } = primary;
    if (registries && policies) {
      matchTargets(config, { registries, policies }, targets, problems);
    }
    return {
      problems: problems.lines(),
      endpoints: [primary.report, ...targets.map((t) => t.report)],
    };
  } finally {
    await pools.close();
  }
}

type Opener = <C extends PrimaryConfig | TargetConfig>(
  field: string,
  registry: C
) => Promise<Endpoint<C> | undefined>;

interface PrimaryResult {
  report: EndpointReport;
  registries?: RegistryEndpoint[];
  policies?: ReplicationPolicy[];
}

async function checkPrimary(
  config: PrimaryConfig,
  open: Opener,
  resolver: CredentialsResolver,
  problems: Problems
): Promise<PrimaryResult> {
  const field = 'primary';
  const report: EndpointReport = {
    field,
    name: config.name,
    url: config.url,
    reachable: null,
  };
  const endpoint = await open(field, config);
  const operator = checkOperator(config, endpoint, resolver, problems);
  if (!endpoint || endpoint.unavailable !== undefined) {
    await operator;
    return { report };
  }
  const result = await probePrimary(endpoint, report, problems);
  const failed = await operator;
  // Said once: when the primary is unreachable, its own probe says why.
  if (failed && report.reachable !== false) {
    problems.add(
      'primary.operatorCredentials',
      `cannot be checked: ${errorMessage(failed.error)}`
    );
  }
  return result;
}

/** The primary's API with the auditor's credentials: who they are, its endpoints and policies. */
async function probePrimary(
  endpoint: Endpoint<PrimaryConfig>,
  report: EndpointReport,
  problems: Problems
): Promise<PrimaryResult> {
  const field = 'primary';
  const api = new HarborClient(clientOptions(endpoint));
  const result: PrimaryResult = { report };
  if (await probeHarbor(field, api, report, problems)) {
    const [registries, policies] = await Promise.all([
      read(
        api.listRegistries(),
        `${field}.credentials`,
        'GET /api/v2.0/registries',
        problems
      ),
      read(
        api.listPolicies(),
        `${field}.credentials`,
        'GET /api/v2.0/replication/policies',
        problems
      ),
    ]);
    if (registries) result.registries = registries;
    if (policies) result.policies = policies;
    if (registries && policies) {
      report.counts = {
        registryEndpoints: registries.length,
        policies: policies.length,
      };
    }
  }
  return result;
}

/**
 * The operator credential: resolved, and accepted by the primary (GET /users/current).
 * @returns why GET /users/current failed, for the caller to weigh against the primary's probe
 */
async function checkOperator(
  config: PrimaryConfig,
  endpoint: Endpoint<PrimaryConfig> | undefined,
  resolver: CredentialsResolver,
  problems: Problems
): Promise<{ error: unknown } | undefined> {
  const ref = config.operatorCredentials;
  if (!ref) return;
  const owner = `${config.name} (operator)`;
  const field = 'primary.operatorCredentials';
  let credentials;
  try {
    credentials = await resolver(ref, owner);
  } catch (err) {
    problems.add(field, `cannot be read: ${describeCredentialFailure(err)}`);
    return;
  }
  // Probed only where the primary itself answers with the auditor's credentials.
  if (!endpoint || endpoint.unavailable !== undefined) return;
  try {
    const who = await new HarborClient(
      clientOptions(endpoint, credentials)
    ).whoAmI();
    if (who.kind === 'anonymous') problems.add(field, REJECTED);
  } catch (err) {
    return { error: err };
  }
  return undefined;
}

interface TargetResult {
  field: string;
  config: TargetConfig;
  report: EndpointReport;
  /** A Harbor target's own policies (pull mode), when they could be read. */
  policies?: ReplicationPolicy[];
  /** A Harbor target whose policies could not be read: whether it pulls is unknown. */
  policiesUnread?: boolean;
}

async function checkTarget(
  field: string,
  config: TargetConfig,
  open: Opener,
  problems: Problems
): Promise<TargetResult> {
  const report: EndpointReport = {
    field,
    name: config.name,
    url: config.url,
    reachable: null,
  };
  const result: TargetResult = { field, config, report };
  const endpoint = await open(field, config);
  if (!endpoint || endpoint.unavailable !== undefined) return result;
  const built = TARGET_DRIVERS[config.kind].build(endpoint, PROBE_CONCURRENCY);
  if (built.harbor) {
    if (await probeHarbor(field, built.harbor, report, problems)) {
      // Its own (pull-mode) policies; unread, whether it pulls from the primary is unknown.
      const policies = await read(
        built.harbor.listPolicies(),
        `${field}.credentials`,
        'GET /api/v2.0/replication/policies',
        problems
      );
      if (policies) result.policies = policies;
      else result.policiesUnread = true;
    }
    return result;
  }
  if (built.registry) {
    try {
      await built.registry.ping();
      report.reachable = true;
      // GET /v2/ answers who may pull, not who one is: the configured user, or anonymous.
      report.authenticatedAs = endpoint.credentials
        ? `${endpoint.credentials.username} (GET /v2/ answered 200)`
        : 'anonymous (GET /v2/ answered 200 without credentials)';
    } catch (err) {
      if (err instanceof AuthError) {
        report.reachable = true;
        problems.add(
          `${field}.credentials`,
          config.credentials
            ? `rejected: ${errorMessage(err)}`
            : `the registry requires credentials: ${errorMessage(err)}`
        );
      } else {
        report.reachable = false;
        problems.add(`${field}.url`, `unreachable: ${errorMessage(err)}`);
      }
    }
  }
  return result;
}

const REJECTED =
  'rejected: Harbor treats them as anonymous (GET /api/v2.0/users/current answered 401)';

/**
 * A Harbor's API: GET /systeminfo (anonymous), then an authenticated GET /users/current.
 * @returns whether the credentials are accepted (further reads make sense)
 */
async function probeHarbor(
  field: string,
  api: HarborApi,
  report: EndpointReport,
  problems: Problems
): Promise<boolean> {
  try {
    report.harborVersion = await api.harborVersion();
    report.reachable = true;
  } catch (err) {
    report.reachable = false;
    problems.add(
      `${field}.url`,
      `unreachable: ${errorMessage(err)} (GET /api/v2.0/systeminfo)`
    );
    return false;
  }
  let who: HarborIdentity;
  try {
    who = await api.whoAmI();
  } catch (err) {
    problems.add(
      `${field}.credentials`,
      `cannot be checked: ${errorMessage(err)} (GET /api/v2.0/users/current)`
    );
    return false;
  }
  if (who.kind === 'anonymous') {
    problems.add(`${field}.credentials`, REJECTED);
    return false;
  }
  report.authenticatedAs =
    who.kind === 'robot'
      ? 'a robot account'
      : `user ${who.username}${who.sysadmin ? ' (sysadmin)' : ''}`;
  return true;
}

async function read<T>(
  call: Promise<T>,
  field: string,
  what: string,
  problems: Problems
): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    problems.add(field, `cannot read ${what}: ${errorMessage(err)}`);
    return undefined;
  }
}

/**
 * Each target against the primary's registry endpoints and the policies in scope, as the
 * audit selects them (selectPolicies): a target's URL must be (canonically) the URL of an
 * endpoint that a policy in scope pushes to, or the target must pull from the primary.
 */
function matchTargets(
  config: HarborDrConfig,
  primary: { registries: RegistryEndpoint[]; policies: ReplicationPolicy[] },
  targets: readonly TargetResult[],
  problems: Problems
): void {
  const targetPolicies = new Map<string, ReplicationPolicy[]>();
  for (const t of targets) {
    if (t.policies) targetPolicies.set(t.config.name, t.policies);
  }
  const selection = selectPolicies({
    primaryUrl: config.primary.url,
    targets: config.targets,
    selector: config.policies,
    primaryPolicies: primary.policies,
    targetPolicies,
  });
  for (const e of selection.errors) problems.add('policies', e);
  const known = primary.registries
    .filter((r) => r.id !== 0)
    .map((r) => `"${r.name}" ${r.url}`);
  for (const t of targets) {
    const url = canonicalUrl(t.config.url);
    const matching = primary.registries.filter(
      (r) => canonicalUrl(r.url) === url
    );
    t.report.registryEndpoints = matching.map((r) => ({
      id: r.id,
      name: r.name,
      url: r.url,
    }));
    const used = selection.assignments.filter(
      (a) => a.target === t.config.name
    );
    t.report.policies = used.map((a) => `${a.policy.name} (${a.mode})`);
    // Unread pull policies (its credentials problem says why): no "nothing would be audited".
    if (used.length > 0 || t.policiesUnread) continue;
    if (matching.length === 0) {
      const near = nearestEndpoint(t.config.url, primary.registries);
      problems.add(
        `${t.field}.url`,
        `${t.config.url} is not the URL of any registry endpoint of the primary, and no policy pulls from the primary to it: nothing would be audited (${near ? `did you mean ${near.url}, the endpoint "${near.name}"? ` : ''}the primary's endpoints: ${known.length > 0 ? known.join(', ') : 'none'})`
      );
      continue;
    }
    const names = matching.map((r) => `"${r.name}" (id ${r.id})`).join(', ');
    const pushing = primary.policies
      .filter(
        (p) =>
          p.srcRegistry === null &&
          p.destRegistry !== null &&
          canonicalUrl(p.destRegistry.url) === url
      )
      .map((p) => `"${p.name}"${p.enabled ? '' : ' (disabled)'}`);
    problems.add(
      `${t.field}.url`,
      `matches the primary's registry endpoint ${names}, but no replication policy in scope replicates to it (${
        pushing.length > 0
          ? `policies to it: ${pushing.join(', ')}; policies: ${describeSelector(config.policies)}`
          : 'no policy of the primary pushes to that endpoint'
      }): nothing would be audited`
    );
  }
}

/**
 * The endpoint a target's URL was probably meant to be: the same host (another scheme or
 * port), else the same port and path under another host name (`localhost` for `127.0.0.1`,
 * a short name for an FQDN), else the closest spelling.
 */
function nearestEndpoint(
  url: string,
  registries: readonly RegistryEndpoint[]
): RegistryEndpoint | undefined {
  const parts = (u: string) => {
    try {
      const p = new URL(canonicalUrl(u));
      return { host: p.hostname, rest: `${p.port}${p.pathname}` };
    } catch {
      return undefined;
    }
  };
  const wanted = parts(url);
  if (!wanted) return undefined;
  const only = (
    keep: (p: { host: string; rest: string }) => boolean
  ): RegistryEndpoint | undefined => {
    const found = registries.filter((r) => {
      const p = r.id === 0 ? undefined : parts(r.url);
      return p !== undefined && keep(p);
    });
    return found.length === 1 ? found[0] : undefined;
  };
  const hosts = registries.flatMap((r) => {
    const h = r.id === 0 ? undefined : parts(r.url)?.host;
    return h === undefined || h === wanted.host ? [] : [h];
  });
  const near = closest(wanted.host, hosts);
  return (
    only((p) => p.host === wanted.host) ??
    only((p) => p.rest === wanted.rest) ??
    (near === undefined ? undefined : only((p) => p.host === near))
  );
}

function describeSelector(selector: HarborDrConfig['policies']): string {
  return selector === 'auto'
    ? 'auto, the enabled ones'
    : selector.map((n) => `"${n}"`).join(', ');
}

/** Why a credential could not be read, in the resolver's words (names, never values). */
function describeFailure(err: unknown, fallback: string): string {
  return err === undefined ? fallback : describeCredentialFailure(err);
}

/** Problems by field, said once, and not again when the offline checks said them. */
class Problems {
  readonly #lines: string[] = [];

  constructor(private readonly reported: readonly string[]) {}

  add(field: string, message: string): void {
    const said = (line: string): boolean => {
      const at = line.indexOf(': ');
      const other = at < 0 ? line : line.slice(0, at);
      return other === field || other.startsWith(`${field}.`);
    };
    if (this.reported.some(said)) return;
    // Upstream text may quote anything: scrub every secret this process resolved.
    const line = redact(`${field}: ${message}`);
    if (!this.#lines.includes(line)) this.#lines.push(line);
  }

  /** In the order of the config: the primary, the targets, then the rest. */
  lines(): string[] {
    const rank = (line: string): number => {
      if (line.startsWith('primary')) return -1;
      const m = /^targets\[(\d+)\]/.exec(line);
      return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
    };
    // A stable sort: a registry's problems keep the order they were found in.
    return [...this.#lines].sort((a, b) => rank(a) - rank(b));
  }
}

// What `validate-config --online` needs besides the checks, loaded with them.
export { createCredentialsResolver } from '../adapters/secrets/credentials';
export { armDeadline } from '../use-cases/job';
