import type { IncomingMessage } from 'node:http';
import type { HarborState } from '../state/harbor-state';
import type { RobotRec, UserRec } from '../state/types';

/** Who is calling: Harbor's security context. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: UserRec }
  | { kind: 'robot'; robot: RobotRec };

/** Parses an `Authorization: Basic` header into username/password. */
export function parseBasic(
  header: string | undefined
): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Checks a username/password against users and robots; undefined when rejected. */
export function authenticate(
  state: HarborState,
  creds: { username: string; password: string }
): Principal | undefined {
  const prefix = String(
    state.config.get('robot_name_prefix')?.value ?? 'robot$'
  );
  if (creds.username.startsWith(prefix)) {
    const now = Math.floor(state.clock.now().getTime() / 1000);
    for (const r of state.robots.values()) {
      if (
        r.name === creds.username &&
        r.secret === creds.password &&
        !r.disable &&
        (r.expiresAt <= 0 || r.expiresAt > now)
      ) {
        return { kind: 'robot', robot: r };
      }
    }
    return undefined;
  }
  for (const u of state.users.values()) {
    if (u.username === creds.username && u.password === creds.password)
      return { kind: 'user', user: u };
  }
  return undefined;
}

/**
 * Harbor's basic-auth security generator: bad credentials do not fail the request, it just
 * continues anonymously.
 */
export function principalOf(
  state: HarborState,
  req: IncomingMessage
): Principal {
  const creds = parseBasic(req.headers.authorization);
  if (!creds) return { kind: 'anonymous' };
  return authenticate(state, creds) ?? { kind: 'anonymous' };
}

/** The name Harbor records for a principal (audit logs, creator fields). */
export function principalName(p: Principal): string {
  if (p.kind === 'user') return p.user.username;
  if (p.kind === 'robot') return p.robot.name;
  return 'anonymous';
}
