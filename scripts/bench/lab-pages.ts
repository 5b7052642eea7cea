import { request } from 'undici';

/** What serving a repository's artifact pages cost the lab. */
export interface LabPageTimes {
  repository: string;
  pages: number;
  /** Mean time from request to the whole body, per page. */
  meanMs: number;
  /** This process's CPU per page (the lab runs here, so this is the lab's cost). */
  cpuMsPerPage: number;
}

/**
 * Reads `pages` pages of 100 artifacts of `repository` from a lab Harbor, with the query the
 * auditor sends (tags, labels, accessories, by id), cycling over the repository's pages.
 */
export async function measureLabPages(
  url: string,
  admin: { username: string; password: string },
  repository: string,
  pages: number
): Promise<LabPageTimes> {
  const [project = '', ...rest] = repository.split('/');
  const path = `/api/v2.0/projects/${project}/repositories/${encodeURIComponent(encodeURIComponent(rest.join('/')))}/artifacts`;
  const authorization = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let total = 1;
  for (let i = 0; i < pages; i++) {
    const page = 1 + (i % Math.max(1, Math.ceil(total / 100)));
    const res = await request(
      `${url}${path}?with_tag=true&with_label=true&with_accessory=true&sort=id&page=${page.toString()}&page_size=100`,
      { headers: { authorization } }
    );
    const body = (await res.body.json()) as unknown[];
    if (res.statusCode !== 200 || !Array.isArray(body) || body.length === 0)
      throw new Error(
        `lab page ${page.toString()}: HTTP ${res.statusCode.toString()}`
      );
    total = Number(res.headers['x-total-count'] ?? body.length);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    repository,
    pages,
    meanMs: (performance.now() - t0) / pages,
    cpuMsPerPage: (cpu.user + cpu.system) / 1000 / pages,
  };
}
