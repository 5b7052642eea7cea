// Invokes a Lambda handler module in a fresh process, as the Lambda runtime would: the
// module scope reads the environment once, then the handler runs with a Context.
// argv[2]: handler path; argv[3]: event JSON. Prints the handler's result as JSON.
import { createRequire } from 'node:module';
import type { Context } from 'aws-lambda';

async function main(): Promise<void> {
  const [path, event] = process.argv.slice(2);
  // require, not import(): tsx/cjs hooks CommonJS loading only.
  const mod = createRequire(__filename)(path ?? '') as {
    handler: (event: unknown, context: Context) => Promise<unknown>;
  };
  const deadline = Date.now() + 120_000;
  const context = {
    awsRequestId: 'test-request',
    functionName: 'harbor-dr-test',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
  const result = await mod.handler(JSON.parse(event ?? '{}'), context);
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
