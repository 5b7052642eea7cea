import { runCli } from '../lambdas/cli/program';
import { processIo } from '../lambdas/cli/io';
import { version } from '../package.json';

void runCli(process.argv.slice(2), processIo, version).then((code) => {
  process.exitCode = code;
});
