// The CLI as a process among others: a reader that goes away (`| head -1`), Ctrl-C in the
// middle of a run, and the library that must not touch the process it is imported into.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultyScripts } from '../../fixtures/faulty-servers.js';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { probe } from '../../src/index.js';
import { builtCli, closedPort, local, ROOT, runProcess, SHORT, STACK, type Cli, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
let pki: Pki;
let trusted: SmtpFixture;
let silent: RawServer;
let refused: number;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  trusted = await startSmtpFixture({ leaf: pki.leaves.good });
  silent = await startRawServer(faultyScripts({ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }).silent);
  refused = await closedPort();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([trusted, silent].map((s) => s?.close()));
  cli?.cleanup();
});

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with stdout piped; `onStdout` sees each chunk and may act on the child
 * (close our end of the pipe), `onSpawn` gets the child at once (to signal it later). SIGKILL after 25 s so a hang fails, not stalls.
 */
function spawnCli(
  args: string[],
  onStdout: (chunk: string, child: ReturnType<typeof spawn>) => void,
  onSpawn: (child: ReturnType<typeof spawn>) => void = () => {},
): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.bin, ...SHORT, '--ca-file', pki.root.path, '--servername', TEST_HOST, ...args], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: undefined, MXPROBE_DEBUG: undefined }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      onStdout(s, child);
    });
    child.stdout!.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    onSpawn(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('a reader that goes away (`mxprobe ... | head -1`)', () => {
  // Several distinct targets (a run may merge duplicates), so output keeps coming after the reader has gone.
  let targets: string[] = [];
  const extra: SmtpFixture[] = [];
  beforeAll(async () => {
    extra.push(...(await Promise.all([1, 2].map(() => startSmtpFixture({ leaf: pki.leaves.good })))));
    const closed = await Promise.all([closedPort(), closedPort()]);
    targets = [trusted.port, refused, extra[0].port, closed[0], extra[1].port, closed[1]].map(local);
  });
  afterAll(async () => {
    await Promise.all(extra.map((s) => s.close()));
  });
  const many = () => targets;

  it.each([
    ['table', []],
    ['--ndjson', ['--ndjson']],
    ['-v --show-certs', ['-v', '--show-certs']],
    ['-q', ['-q']],
  ] as const)('%s: the process ends on its own, without a stack trace', async (_name, flags) => {
    let closed = false;
    const r = await spawnCli([...flags, '-c', '1', ...many()], (_chunk, child) => {
      if (closed) return;
      closed = true;
      child.stdout!.destroy();
    });
    expect(r.signal).toBeNull(); // not killed by our 25 s guard (nor by SIGPIPE: Node ignores it)
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(r.code).not.toBe(3);
  });
});

describe('Ctrl-C', () => {
  it('SIGINT during a run: exit 3 (not every target checked), NDJSON never left with half a line, no stack trace', async () => {
    // Three servers that never answer, one probe at a time: SIGINT as soon as the first one has
    // a connection, so the others have certainly not been checked.
    const script = faultyScripts({ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }).silent;
    const others = await Promise.all([startRawServer(script), startRawServer(script)]);
    try {
      const servers = [silent, ...others];
      let sent = false;
      const r = await spawnCli(['--ndjson', '-c', '1', ...servers.map((s) => local(s.port))], () => {}, (child) => {
        const poll = setInterval(() => {
          if (sent || !servers.some((s) => s.connections > 0)) return;
          sent = true;
          clearInterval(poll);
          child.kill('SIGINT');
        }, 20);
        child.on('close', () => clearInterval(poll));
      });
      expect(sent).toBe(true);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(STACK);
      if (r.stdout !== '') {
        expect(r.stdout.endsWith('\n')).toBe(true);
        for (const line of r.stdout.trim().split('\n')) JSON.parse(line);
      }
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });
});

describe('the library', () => {
  it('importing it registers no process listeners', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'warning'];
    // A fresh process: vitest's own listeners must not hide ours. The built library (dist/index.js)
    // is what `import { probe } from 'mxprobe'` loads.
    const script = `
      const events = ${JSON.stringify(events)};
      const count = () => Object.fromEntries(events.map((e) => [e, process.listenerCount(e)]));
      const before = count();
      const lib = await import(${JSON.stringify(join(cli.dir, 'dist/index.js'))});
      if (typeof lib.probe !== 'function') throw new Error('no probe export');
      process.stdout.write(JSON.stringify({ before, after: count() }));
    `;
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { before, after } = JSON.parse(r.stdout) as { before: Record<string, number>; after: Record<string, number> };
    expect(after).toEqual(before);
  });

  it('probe() of a refused port resolves with error.code refused (it does not reject)', async () => {
    const r = await probe(local(refused), { connectTimeoutMs: 3000 });
    expect(r).toMatchObject({ status: 'critical', error: { phase: 'connect', code: 'refused' }, tls: null });
  });

  it('probe() never exits the process and leaves no listeners behind', async () => {
    const events = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'] as const;
    const before = events.map((e) => process.listenerCount(e));
    await probe(local(refused), { connectTimeoutMs: 3000 });
    expect(events.map((e) => process.listenerCount(e))).toEqual(before);
  });
});
