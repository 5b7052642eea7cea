import { runReadinessJob } from '../use-cases/readiness-job';
import { createRunHandler } from './run-handler';

/** The on-demand (or scheduled) failover readiness report. */
export const handler = createRunHandler('readiness', runReadinessJob);
