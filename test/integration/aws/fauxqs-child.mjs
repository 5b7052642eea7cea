// Runs fauxqs (ESM only, so jest's CJS runtime cannot load it) in a child process.
// argv[2]: fauxqs init config as JSON. Prints {"port": n} once listening; stops when stdin
// closes, so a crashed test run never leaves it behind.
import { startFauxqs } from 'fauxqs';

const init = JSON.parse(process.argv[2] ?? '{}');
const server = await startFauxqs({
  port: 0,
  host: '127.0.0.1',
  logger: false,
  init,
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
