import { runCli } from '../lambdas/cli/program';
import { processIo } from '../lambdas/cli/io';
import { version } from '../package.json';

const stopped = new Promise((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

void runCli(process.argv.slice(2), processIo, version, { stopped }).then(
  (code) => {
    process.exitCode = code;
    // Pending signal listeners and idle keep-alive sockets must not hold the process open.
    process.exit();
  }
);
