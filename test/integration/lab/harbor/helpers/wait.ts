import type { LabHarbor } from '../../../../../lab/harbor/server';
import { api, type Creds } from './api';

/** Starts a policy's execution through the API and waits until the engine is idle; returns the execution. */
export async function runPolicy(
  h: LabHarbor,
  auth: Creds,
  policyId: number
): Promise<Record<string, unknown>> {
  const res = await api(h.url, 'POST', '/replication/executions', {
    auth,
    body: { policy_id: policyId },
  });
  if (res.status !== 201)
    throw new Error(`start failed: ${res.status} ${res.text}`);
  const location = res.headers.get('location') ?? '';
  const id = Number(location.split('/').pop());
  await h.idle();
  return (await api(h.url, 'GET', `/replication/executions/${id}`, { auth }))
    .body as Record<string, unknown>;
}

/** Fetches a manifest's digest from any registry with the full Accept list (and optional Basic). */
export async function remoteDigest(
  base: string,
  repo: string,
  ref: string,
  auth?: Creds
): Promise<string | undefined> {
  const headers: Record<string, string> = {
    Accept: [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ].join(', '),
  };
  if (auth)
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: 'HEAD',
    headers,
  });
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    throw new Error(`HEAD ${repo}:${ref} → ${res.status}`);
  return res.headers.get('docker-content-digest') ?? undefined;
}
