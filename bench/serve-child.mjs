// Started by bench/serve.mjs, in its own process so the load client's CPU is not the exporter's.
//   serve:  the exporter of a private build, trusting the fixture's CA, connection caps wide
//           enough that C scrapes of one address never queue; prints {url}, runs until SIGTERM.
//   direct: the same probes through probe() in rounds of C at a time (the probe's own time under
//           the same concurrency, without HTTP); prints {latencies} and exits.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const [mode, build, caFile, servername, concurrency, rounds, port] = process.argv.slice(2);
const C = Number(concurrency);
const lib = await import(pathToFileURL(`${build}/dist/index.js`).href);
const options = { ca: readFileSync(caFile, 'utf8'), servername, ehlo: 'bench.test.example' };

if (mode === 'direct') {
  // Timed from the start of the round, as the scrapes are (all C requests leave at once, and
  // each waits for the set-up of those before it).
  const one = async (t0) => {
    const r = await lib.probe(`[127.0.0.1]:${port}`, options);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, total: r.timingMs.total, ok: r.status === 'ok' };
  };
  const round = () => {
    const t0 = process.hrtime.bigint();
    return Promise.all(Array.from({ length: C }, () => one(t0)));
  };
  for (let i = 0; i < 3; i++) await round();
  const samples = [];
  for (let r = 0; r < Number(rounds); r++) samples.push(...(await round()));
  process.stdout.write(`${JSON.stringify({ samples })}\n`);
  process.exit(0);
}

const exporter = await lib.startExporter({ port: 0, defaultOptions: options, concurrency: C, perHost: C });
// How long a ready event (an arriving request) waits for the loop: the exporter's share of the
// wait cannot be below this while the process is busy with the probes' handshakes.
const lag = monitorEventLoopDelay({ resolution: 1 });
lag.enable();
const cpu0 = process.cpuUsage();
const t0 = Date.now();
process.stdout.write(`${JSON.stringify({ url: exporter.url })}\n`);
process.on('SIGTERM', async () => {
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const busy = (cpu.user + cpu.system) / 1000 / (Date.now() - t0);
  process.stderr.write(`${JSON.stringify({ loopDelayMs: { p50: lag.percentile(50) / 1e6, p90: lag.percentile(90) / 1e6, p99: lag.percentile(99) / 1e6 }, cpuCores: busy })}\n`);
  await exporter.close();
  process.exit(0);
});
