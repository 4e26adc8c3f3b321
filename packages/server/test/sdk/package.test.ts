import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestAccount } from '../support/harness.ts';

// @hellio/sdk as a user meets it: the compiled package (built as `npm install` builds it)
// imported by name from plain Node ESM outside vitest, and its .d.ts read by the compiler.

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

describe('the built @hellio/sdk package', () => {
  let h: Harness;
  let a: TestAccount;
  let baseUrl: string;
  let scratch: string;

  beforeAll(async () => {
    // The same build as the package's `prepare`, so that the test sees the current sources.
    await run(process.execPath, [TSC, '-p', join(ROOT, 'packages/sdk')]);
    h = await createHarness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    a = await h.account();
    // Inside the clone (ignored by git), where a user's script would resolve the package.
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    scratch = mkdtempSync(join(ROOT, '.tmp', 'sdk-'));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('runs examples/sdk-send.mjs with plain node', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'examples/sdk-send.mjs'), '+447911123456'], {
      cwd: ROOT,
      env: { ...process.env, HELLIO_API_KEY: a.key, HELLIO_BASE_URL: baseUrl },
    });
    expect(stdout).toMatch(/^sent msg_\w+ to \+447911123456: 1 segment\(s\), 0\.0400 USD\nstatus: queued\nbalance: 99\.9600 USD\n$/);
  });

  it('throws its error classes to plain node, with the exit code the example sets', async () => {
    const failed = await run(process.execPath, [join(ROOT, 'examples/sdk-send.mjs')], {
      cwd: ROOT,
      env: { ...process.env, HELLIO_API_KEY: 'cs_' + 'y'.repeat(64), HELLIO_BASE_URL: baseUrl },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: 'AuthenticationError (401 invalid_credentials): Invalid user credentials\n' });
  });

  it('runs the SDK example of the README as written', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## SDK\n'));
    const example = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    writeFileSync(join(scratch, 'send.mjs'), example);
    const { stdout } = await run(process.execPath, [join(scratch, 'send.mjs')], { cwd: scratch, env: { ...process.env, HELLIO_API_KEY: a.key, HELLIO_BASE_URL: baseUrl } });
    expect(stdout).toMatch(/^msg_\w+ queued \d+\.\d{4}\n$/);
  });

  it('is typed for a TypeScript user', async () => {
    writeFileSync(
      join(scratch, 'use.ts'),
      `import { Hellio, RateLimitError, type SmsSendResult } from '@hellio/sdk';
const hellio = new Hellio('cs_key', { baseUrl: 'http://localhost:3000', maxRetries: 1, timeout: 5000 });
export async function main(): Promise<string> {
  const sent: SmsSendResult = await hellio.sms.send({ from: 'HELLIO', to: '+14155552671', message: 'hi' });
  // @ts-expect-error: message is required
  await hellio.sms.send({ from: 'HELLIO', to: '+14155552671' });
  // @ts-expect-error: segments is a number
  const s: string = sent.messages[0]!.segments;
  const e = new RateLimitError({ code: 'rate_limited', message: 'slow down', retryAfter: 3 });
  const n: number | null = e.retryAfter;
  return String(s) + n + Hellio.webhooks.verify('{}', new Headers(), 'whsec_x').type;
}
`,
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: [] }, files: ['use.ts'] }),
    );
    const out = await run(process.execPath, [TSC, '-p', scratch]).catch((e: { stdout: string }) => e);
    expect(out.stdout).toBe('');
  }, 60_000);
});
