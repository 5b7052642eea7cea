import { runAuditJob } from '../use-cases/audit-job';
import { createRunHandler } from './run-handler';

/** The nightly (or on-demand) replication audit. */
export const handler = createRunHandler('audit', runAuditJob);
