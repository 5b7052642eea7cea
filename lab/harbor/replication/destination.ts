import { z } from 'zod';
import { LabOciClient } from '../../registry/oci-copy';
import type { RegistryRec } from '../state/types';

/** An OCI client for a destination registry endpoint, with its stored credential. */
export function ociClientFor(reg: RegistryRec): LabOciClient {
  return new LabOciClient({
    url: reg.url.replace(/\/+$/, ''),
    ...(reg.credential.access_key !== ''
      ? {
          username: reg.credential.access_key,
          password: reg.credential.access_secret,
        }
      : {}),
  });
}

function authHeader(reg: RegistryRec): Record<string, string> {
  if (reg.credential.access_key === '') return {};
  const token = Buffer.from(
    `${reg.credential.access_key}:${reg.credential.access_secret}`
  ).toString('base64');
  return { Authorization: `Basic ${token}` };
}

const projectSchema = z.object({
  name: z.string(),
  registry_id: z.number().nullish(),
});

/** What a destination Harbor says about one project. */
export type DestProject =
  { exists: false } | { exists: true; proxyCache: boolean };

/** GET /projects/{name} on a destination Harbor. */
export async function getDestProject(
  reg: RegistryRec,
  name: string
): Promise<DestProject> {
  const base = reg.url.replace(/\/+$/, '');
  const res = await fetch(
    `${base}/api/v2.0/projects/${encodeURIComponent(name)}`,
    {
      headers: {
        ...authHeader(reg),
        'X-Is-Resource-Name': 'true',
        Accept: 'application/json',
      },
    }
  );
  if (res.status === 404) {
    await res.body?.cancel();
    return { exists: false };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`failed to get project ${name}: HTTP ${res.status}`);
  }
  const p = projectSchema.parse(await res.json());
  return { exists: true, proxyCache: (p.registry_id ?? 0) > 0 };
}

/** POST /projects on a destination Harbor with only metadata.public (409 = already there). */
export async function createDestProject(
  reg: RegistryRec,
  name: string,
  isPublic: boolean
): Promise<void> {
  const base = reg.url.replace(/\/+$/, '');
  const res = await fetch(`${base}/api/v2.0/projects`, {
    method: 'POST',
    headers: { ...authHeader(reg), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      project_name: name,
      metadata: { public: String(isPublic) },
    }),
  });
  const text = await res.text();
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(
      `failed to create project ${name}: HTTP ${res.status} ${text}`
    );
  }
}

/** DELETE a tag on a destination Harbor (the harbor adapter's DeleteTag). */
export async function deleteDestTag(
  reg: RegistryRec,
  repository: string,
  tag: string
): Promise<void> {
  const base = reg.url.replace(/\/+$/, '');
  const i = repository.indexOf('/');
  const project = repository.slice(0, i);
  const rest = encodeURIComponent(encodeURIComponent(repository.slice(i + 1)));
  const res = await fetch(
    `${base}/api/v2.0/projects/${project}/repositories/${rest}/artifacts/${tag}/tags/${tag}`,
    {
      method: 'DELETE',
      headers: authHeader(reg),
    }
  );
  const text = await res.text();
  if (res.status !== 200 && res.status !== 404)
    throw new Error(
      `failed to delete tag ${repository}:${tag}: HTTP ${res.status} ${text}`
    );
}
