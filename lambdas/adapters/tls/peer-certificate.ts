import { connect, rootCertificates } from 'node:tls';
import type { CertificateInfo } from '../../core/readiness/endpoint-checks';

/** Options of a certificate probe. */
export interface PeerCertificateOptions {
  /** Extra CA certificates (PEM), trusted in addition to the system roots. */
  caBundle?: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** The run's deadline: once aborted, the handshake is given up at once. */
  signal?: AbortSignal;
}

/**
 * Reads the certificate an https endpoint presents (TLS handshake only, no HTTP request).
 * The handshake does not fail on an untrusted certificate: whether it is trusted is part of
 * the answer, so that an expired or self-signed certificate is reported, not hidden.
 * @throws Error when the endpoint cannot be reached or presents no certificate
 */
export function readPeerCertificate(
  url: string,
  options: PeerCertificateOptions = {}
): Promise<CertificateInfo> {
  const u = new URL(url);
  const port = u.port === '' ? 443 : Number(u.port);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(deadlineReached(u));
      return;
    }
    const socket = connect({
      host,
      port,
      // SNI is only sent for names, never for IP addresses.
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...(options.caBundle
        ? { ca: [...rootCertificates, options.caBundle] }
        : {}),
    });
    socket.setTimeout(options.timeoutMs ?? 10_000, () => {
      socket.destroy(new Error(`TLS handshake with ${u.host} timed out`));
    });
    const onAbort = (): void => {
      socket.destroy(deadlineReached(u));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => {
      options.signal?.removeEventListener('abort', onAbort);
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const authorizationError = socket.authorizationError as
        Error | string | null | undefined;
      socket.end();
      if (Object.keys(cert).length === 0) {
        reject(new Error(`${u.host} presented no certificate`));
        return;
      }
      resolve({
        subject: commonName(cert.subject.CN),
        issuer: commonName(cert.issuer.CN),
        validFrom: new Date(cert.valid_from).toISOString(),
        validTo: new Date(cert.valid_to).toISOString(),
        trusted: socket.authorized,
        ...(authorizationError
          ? { trustError: String(authorizationError) }
          : {}),
      });
    });
    socket.once('error', (err: Error) => {
      reject(err);
    });
  });
}

function deadlineReached(u: URL): Error {
  return new Error(
    `TLS handshake with ${u.host} given up: the run reached its deadline`
  );
}

function commonName(cn: string | string[] | undefined): string {
  return Array.isArray(cn) ? cn.join(', ') : (cn ?? '');
}
