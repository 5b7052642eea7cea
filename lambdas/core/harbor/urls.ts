/**
 * Canonical form of a registry URL for comparison: lower-case scheme and host, no default
 * port, no trailing slash. Harbor stores endpoint URLs as typed by an admin, so the same
 * registry is spelt in many ways across policies, endpoints and the auditor's configuration.
 */
export function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    const defaultPort =
      (u.protocol === 'https:' && u.port === '443') ||
      (u.protocol === 'http:' && u.port === '80');
    const host = defaultPort ? u.hostname : u.host;
    const path = u.pathname.replace(/\/+$/, '');
    return `${u.protocol}//${host.toLowerCase()}${path}`;
  } catch {
    return url.trim().replace(/\/+$/, '').toLowerCase();
  }
}
