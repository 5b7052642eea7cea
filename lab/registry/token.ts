import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify as verifySignature,
  X509Certificate,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** One access entry of a registry token (`repository`/`registry`, name, actions). */
export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

/** Issues and verifies Harbor/distribution-style bearer tokens. */
export interface TokenIssuer {
  issue(
    subject: string,
    access: TokenAccess[],
    service: string
  ): { token: string; expires_in: number; issued_at: string };
  verify(token: string): { sub: string; access: TokenAccess[] } | undefined;
}

const OPENSSL = '/usr/bin/openssl';

const claimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.string(),
  exp: z.number(),
  nbf: z.number(),
  iat: z.number(),
  jti: z.string(),
  access: z.array(
    z.object({
      type: z.string(),
      name: z.string(),
      actions: z.array(z.string()),
    })
  ),
});

const headerSchema = z.object({
  alg: z.literal('RS256'),
  typ: z.string().optional(),
});

/**
 * An RS256 JWT issuer whose tokens carry the signing certificate in `x5c`, so that a real
 * docker-registry configured with `auth.token.rootcertbundle` = `certPem` accepts them.
 * The self-signed certificate is made by `openssl req -x509` (Node 20 cannot build X.509).
 */
export function createTokenIssuer(
  opts: { issuer?: string; lifetimeSeconds?: number } = {}
): TokenIssuer & { certPem: string; keyPem: string; issuer: string } {
  const issuer = opts.issuer ?? 'harbor-token-issuer';
  const lifetime = opts.lifetimeSeconds ?? 1800;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certPem = selfSignedCert(keyPem, issuer);
  const certDer = new X509Certificate(certPem).raw.toString('base64');
  const key = createPrivateKey(keyPem);
  const pub = createPublicKey(key);

  const issue: TokenIssuer['issue'] = (subject, access, service) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      // distribution allows no clock skew on nbf, so back-date it a little.
      nbf: now - 10,
      iat: now,
      exp: now + lifetime,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('RSA-SHA256', Buffer.from(input), key);
    return {
      token: `${input}.${signature.toString('base64url')}`,
      expires_in: lifetime,
      issued_at: new Date(now * 1000).toISOString(),
    };
  };

  const verify: TokenIssuer['verify'] = (token) => {
    const [h, c, s] = token.split('.');
    if (h === undefined || c === undefined || s === undefined) return undefined;
    const ok = verifySignature(
      'RSA-SHA256',
      Buffer.from(`${h}.${c}`),
      pub,
      Buffer.from(s, 'base64url')
    );
    if (!ok) return undefined;
    try {
      if (!headerSchema.safeParse(JSON.parse(fromB64url(h))).success)
        return undefined;
      const claims = claimsSchema.safeParse(JSON.parse(fromB64url(c)));
      if (!claims.success || claims.data.iss !== issuer) return undefined;
      const now = Math.floor(Date.now() / 1000);
      if (claims.data.exp <= now || claims.data.nbf > now + 60)
        return undefined;
      return { sub: claims.data.sub, access: claims.data.access };
    } catch {
      return undefined;
    }
  };

  return { issue, verify, certPem, keyPem, issuer };
}

/**
 * Parses registry scope strings (`repository:a/b:pull,push`, `registry:catalog:*`, several per
 * string separated by spaces) into token access entries.
 */
export function parseScopes(scopes: string[]): TokenAccess[] {
  const out: TokenAccess[] = [];
  for (const scope of scopes.flatMap((s) => s.split(' ')).filter(Boolean)) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first) continue;
    out.push({
      type: scope.slice(0, first),
      name: scope.slice(first + 1, last),
      actions: scope
        .slice(last + 1)
        .split(',')
        .filter(Boolean),
    });
  }
  return out;
}

function selfSignedCert(keyPem: string, cn: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-token-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    writeFileSync(keyFile, keyPem, { mode: 0o600 });
    try {
      execFileSync(
        OPENSSL,
        [
          'req',
          '-x509',
          '-new',
          '-key',
          keyFile,
          '-out',
          certFile,
          '-days',
          '30',
          '-sha256',
          '-subj',
          `/CN=${cn}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] }
      );
    } catch (e) {
      throw new Error(
        `createTokenIssuer needs ${OPENSSL} to make the token certificate (apt-get install -y openssl): ${
          e instanceof Error ? e.message : String(e)
        }`,
        { cause: e }
      );
    }
    return readFileSync(certFile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

function fromB64url(s: string): string {
  return Buffer.from(s, 'base64url').toString('utf8');
}
