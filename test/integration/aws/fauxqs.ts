import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** What fauxqs creates at start: queues, topics, SNS→SQS subscriptions and buckets. */
export interface FauxqsInit {
  queues?: { name: string }[];
  topics?: { name: string }[];
  subscriptions?: { topic: string; queue: string }[];
  buckets?: string[];
}

/** A running fauxqs (S3 + SNS + SQS) and the client settings that reach it. */
export interface Fauxqs {
  endpoint: string;
  clientConfig: {
    region: string;
    endpoint: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/**
 * Starts fauxqs 1.9.2 on 127.0.0.1 with a random port, in a child process because the
 * package is ESM only. Fails with the child's stderr when it does not start in 10 s.
 */
export async function startFauxqsProcess(init: FauxqsInit): Promise<Fauxqs> {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'fauxqs-child.mjs'), JSON.stringify(init)],
    { stdio: ['pipe', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    const [first] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(() => {
        throw new Error(`fauxqs did not start: ${stderr}`);
      }),
    ])) as [string];
    const { port } = JSON.parse(first) as { port: number };
    const endpoint = `http://127.0.0.1:${String(port)}`;
    return {
      endpoint,
      clientConfig: {
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
      stop: async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.stdin.end();
        await exited;
      },
    };
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}
