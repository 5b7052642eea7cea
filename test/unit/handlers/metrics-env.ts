/**
 * Imported first by handler tests that capture metrics: Powertools reads whether metrics are
 * published when the module-scope Metrics is built, at import. afterAll restores the rest.
 */
export const SAVED_ENV = { ...process.env };
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_SERVICE_NAME = 'harbor-dr-audit';
