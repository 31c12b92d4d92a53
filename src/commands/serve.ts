// `mxprobe serve`: the Prometheus exporter. The probe options on its command line form the
// default module; --modules adds named ones. Runs until SIGINT/SIGTERM, then closes cleanly.
import { optionDefault, toProbeOptions } from '../cli-options.js';
import { resolveOptions } from '../options.js';
import { DEFAULT_MODULE, loadModules } from '../serve/modules.js';
import { startExporter } from '../serve/server.js';

type Values = Record<string, unknown>;

export async function runServeCommand(_args: string[], v: Values): Promise<number> {
  const options = toProbeOptions(v, 'serve');
  resolveOptions(options); // the default module's options checked before listening
  const listen = (v.listen as { host: string; port: number } | undefined) ?? optionDefault<{ host: string; port: number }>('listen', 'serve');
  const port = v.port as number | undefined;
  const modules = typeof v.modules === 'string' ? await loadModules(v.modules, { name: DEFAULT_MODULE, options, port }) : undefined;
  const exporter = await startExporter({
    host: listen.host, port: listen.port, defaultOptions: options, defaultPort: port, modules,
    concurrency: (v.concurrency as number | undefined) ?? optionDefault<number>('concurrency', 'serve'),
    perHost: (v.perHost as number | undefined) ?? optionDefault<number>('per-host', 'serve'),
    timeoutOffsetMs: (v.timeoutOffset as number | undefined) ?? optionDefault<number>('timeout-offset', 'serve'),
    maxTimeoutMs: (v.maxScrapeTimeout as number | undefined) ?? optionDefault<number>('max-scrape-timeout', 'serve'),
  });
  process.stderr.write(`mxprobe serve: listening on ${exporter.url} (GET /probe?target=DEST&module=NAME, /metrics)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await exporter.close();
  return 0;
}
