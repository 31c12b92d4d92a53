// One command surface: every command takes exactly the options the table gives it and refuses
// the rest naming itself; mistyped commands and options get the nearest real one; the output
// options mean the same in probe, policy and scan.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { CLI_OPTIONS, COMMANDS, optionsOf, type CommandName } from '../../src/cli-options.js';
import { tempDir } from '../../fixtures/temp.js';
import type { ProbeResult } from '../../src/types.js';
import { builtCli, local, runCli, SHORT, STACK, type Cli, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
let pki: Pki;
let server: SmtpFixture;
let dir: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  server = await startSmtpFixture({ leaf: pki.leaves.good });
  dir = tempDir('mxprobe-cli-commands-');
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  cli?.cleanup();
  await server?.close();
});

/** One line on stderr, exit 3, no stack, nothing on stdout. */
async function usageError(args: string[]): Promise<string> {
  const r = await runCli(cli.bin, args);
  expect(r.code, r.stderr).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mxprobe( \w+)?: /);
  return lines[0];
}

const prefix = (c: CommandName) => (c === 'probe' ? [] : [c]);
const flag = (long: string) => `--${long}`;

describe('each command refuses the options it does not take, naming itself', () => {
  // For every command, one option of every other command it lacks (the same code path decides all).
  const cases = COMMANDS.flatMap((command) => {
    const mine = new Set(optionsOf(command).map((o) => o.long));
    const others = CLI_OPTIONS.filter((o) => !mine.has(o.long));
    const picked = [...new Map(others.map((o) => [o.commands.join(','), o])).values()];
    return picked.map((o) => [command, o.long, o.arg ? 'x' : null] as const);
  });
  it.each(cases)('%s --%s', async (command, long, value) => {
    const line = await usageError([...prefix(command), flag(long), ...(value ? [value] : []), 'x.example']);
    expect(line).toMatch(new RegExp(`--${long}.* is not an option of ${command}; it belongs to `));
  });

  it.each([
    [['tlsa', '--cert', 'c.pem', '--name', 'mx.example.com', '--port', '587'], /^mxprobe tlsa: --port is not an option of tlsa; it belongs to probe, policy, scan, .* \(did you mean --tlsa-port\?\)$/],
    [['scan', '--level', 'verify', 'x.example'], /^mxprobe scan: --level is not an option of scan; it belongs to probe, postfix, serve$/],
    [['policy', '--match', 'x', 'file'], /^mxprobe policy: --match is not an option of policy; it belongs to probe, serve$/],
  ])('%j', async (args, message) => {
    expect(await usageError(args)).toMatch(message);
  });
});

describe('typos get the nearest real name', () => {
  it.each([
    [['scna'], "mxprobe: unknown command 'scna' — did you mean 'scan'?"],
    [['poilcy', 'x'], "mxprobe: unknown command 'poilcy' — did you mean 'policy'?"],
    [['--CAfile', 'x', 'x.example'], "mxprobe: unknown option '--CAfile' (did you mean --ca-file?)"],
    [['--sni', 'x', 'x.example'], "mxprobe: unknown option '--sni' (did you mean --servername?)"],
    [['--starttls-smtp', 'x.example'], "mxprobe: unknown option '--starttls-smtp' (did you mean --starttls?)"],
    [['scan', '--profle', 'ncsc', 'x.example'], "mxprobe scan: unknown option '--profle' (did you mean --profile?)"],
  ])('%j', async (args, message) => {
    expect(await usageError(args)).toBe(message);
  });

  it('a bare single label is no mail domain; [name] probes a local host', async () => {
    expect(await usageError(['mailhost'])).toMatch(/"mailhost" is not a mail domain \(no dot\); for a host on your network write \[mailhost\]/);
  });
});

describe('output options mean the same in probe, policy and scan', () => {
  const trust = () => ['--ca-file', pki.root.path];
  const dest = () => local(server.port);
  const policyFile = () => {
    const file = join(dir, 'tls_policy');
    writeFileSync(file, `[127.0.0.1]:${server.port} verify match=${TEST_HOST}\n`);
    return file;
  };
  const runs: Record<'probe' | 'policy' | 'scan', () => string[]> = {
    probe: () => [...SHORT, ...trust(), '--servername', TEST_HOST, dest()],
    policy: () => ['policy', ...SHORT, ...trust(), policyFile()],
    scan: () => ['scan', '--servername', TEST_HOST, '--timeout', '5s', dest()],
  };

  it.each(['probe', 'policy', 'scan'] as const)('%s: -q, --json, --ndjson, --format nagios', async (command) => {
    const base = runs[command]();
    const [quiet, json, ndjson, nagios] = await Promise.all([
      runCli(cli.bin, [...base, '-q']),
      runCli(cli.bin, [...base, '--json']),
      runCli(cli.bin, [...base, '--ndjson']),
      runCli(cli.bin, [...base, '--format', 'nagios']),
    ]);
    // The same verdict, whatever the format: one exit code, and -q's status word is nagios's.
    const codes = [quiet, json, ndjson, nagios].map((r) => r.code);
    expect(new Set(codes).size, codes.join(' ')).toBe(1);
    expect([0, 1, 2]).toContain(codes[0]);
    const word = ['OK', 'WARNING', 'CRITICAL'][codes[0]!];
    for (const l of quiet.stdout.trim().split('\n')) expect(l).toMatch(new RegExp(`^${word} `));
    // --json: one document; --ndjson: one JSON object per line, each with the schema version.
    const doc = JSON.parse(json.stdout) as unknown;
    const items = Array.isArray(doc) ? doc : [doc];
    expect(items.length).toBeGreaterThan(0);
    const lines = ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l) as { schemaVersion: number });
    expect(lines).toHaveLength(items.length);
    for (const l of lines) expect(l.schemaVersion).toBe(3);
    // nagios: one status line, perfdata after "|".
    expect(nagios.stdout.split('\n')[0]).toMatch(new RegExp(`^SMTP-TLS(-POLICY|-SCAN)? ${word} - .* \\| \\S+=`));
  }, 60_000);

  it('--no-handshake-trace: probe and policy both leave the trace facts out, and the table says not read', async () => {
    const probeArgs = runs.probe();
    const [traced, untraced, table, policy] = await Promise.all([
      runCli(cli.bin, [...probeArgs, '--json']),
      runCli(cli.bin, [...probeArgs, '--json', '--no-handshake-trace']),
      runCli(cli.bin, [...probeArgs, '--no-handshake-trace']),
      runCli(cli.bin, [...runs.policy(), '--ndjson', '--no-handshake-trace']),
    ]);
    const tlsOf = (stdout: string) => {
      const doc = JSON.parse(stdout) as unknown;
      return (Array.isArray(doc) ? doc[0] : doc) as ProbeResult;
    };
    expect(tlsOf(traced.stdout).tls).toHaveProperty('peerSignature');
    expect(tlsOf(traced.stdout).tls?.certificateRequested).toBe(false);
    expect(tlsOf(untraced.stdout).tls).not.toHaveProperty('peerSignature');
    expect(tlsOf(untraced.stdout).tls).not.toHaveProperty('certificateRequested');
    // Not read is not "none" and not "not requested".
    expect(table.stdout).toMatch(/server signature\s+│ not read \(--no-handshake-trace\)/);
    expect(table.stdout).toMatch(/client cert\s+│ request not read \(--no-handshake-trace\)/);
    expect(table.stdout).not.toMatch(/not requested/);
    const entry = JSON.parse(policy.stdout.trim().split('\n')[0]) as { results: ProbeResult[] };
    expect(entry.results[0].tls).not.toHaveProperty('peerSignature');
    expect([traced.code, untraced.code, table.code, policy.code]).toEqual([0, 0, 0, 0]);
  }, 60_000);

  it('two output options at once are a usage error in every command', async () => {
    for (const command of ['probe', 'policy', 'scan'] as const) {
      expect(await usageError([...prefix(command), '--json', '-q', 'x.example'])).toMatch(/--json and -q exclude each other/);
    }
  });
});
