import { afterAll } from 'vitest';
import { resetAwsClients } from '../../functions/adapters/aws-clients.ts';

/**
 * Test files share their worker's process and modules (isolate: false in vitest.config.ts). Each file
 * already puts back what it changes (a local stack restores the environment it pointed at the local
 * servers; CVAL_CONFIG and the like are deleted in afterAll); this setup file makes sure of it: after a
 * file's tests, process.env is what it was before them and no AWS client built for that file's local
 * servers is left cached for the next one.
 */
const before = { ...process.env };
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
  Object.assign(process.env, before);
  resetAwsClients();
});
