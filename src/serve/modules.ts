// Exporter modules (blackbox_exporter's idea): a named set of probe options, picked per scrape
// with `module=NAME`. The file is JSON or YAML:
//
//   modules:
//     submission: { port: 587, level: secure, match: [nexthop] }
//     dane:       { level: dane-only, resolver: ["127.0.0.1:53"] }
//
// Keys are the command line's long option names (`ca-file`, `mta-sts`, `connect-timeout`, or
// camelCased), values what the flag takes, read by the flag's own parser from the option table:
// a module means what the same flags mean on the command line. A module starts from the options
// given to `mxprobe serve` itself (the `default` module) and overrides them. Relative file paths
// are relative to the modules file.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CLI_OPTIONS, camel, type CliOption } from '../cli-options.js';
import { UsageError } from '../errors.js';
import { resolveOptions } from '../options.js';
import type { ProbeOptions } from '../types.js';

export interface ExporterModule {
  name: string;
  options: ProbeOptions;
  /** Port for targets that name none (`port:`), else the destination grammar's default. */
  port?: number;
}

export const DEFAULT_MODULE = 'default';

/** Flags that steer a probe: the ones with a ProbeOptions field, plus the destination's port. */
const MODULE_KEYS: ReadonlyMap<string, CliOption> = new Map(
  CLI_OPTIONS.filter((o) => o.option !== undefined || o.long === 'port').flatMap((o) => [[o.long, o], [camel(o.long), o]] as const),
);

const isFileArg = (o: CliOption) => o.arg !== undefined && /^FILE\b/.test(o.arg);

/** One module key: the flag's parser turns the value into what the command line would give. */
function applyKey(module: ExporterModule, key: string, raw: unknown, where: string, baseDir: string): void {
  const o = MODULE_KEYS.get(key);
  if (!o) throw new UsageError(`${where}: unknown option '${key}' (module keys are probe options: level, ca-file, port, mta-sts, ...)`);
  const parseOne = (v: unknown): unknown => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`${where}: ${key} takes a string or number, got ${JSON.stringify(v)}`);
    let text = String(v);
    if (isFileArg(o) && text !== '-' && !isAbsolute(text)) text = resolve(baseDir, text);
    if (isFileArg(o) && text === '-') throw new UsageError(`${where}: ${key} cannot read standard input`);
    try {
      return o.parse ? o.parse(text) : text;
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
  };
  if (o.arg === undefined) {
    // A boolean flag: true means "given" (`no-pipelining: true` → pipelining off, `ipv4: true` → family 4).
    if (typeof raw !== 'boolean') throw new UsageError(`${where}: ${key} is true or false, got ${JSON.stringify(raw)}`);
    if (!raw) return;
    if (o.option) (module.options as Record<string, unknown>)[o.option] = o.value !== undefined ? o.value : true;
    return;
  }
  const value = o.repeat ? (Array.isArray(raw) ? raw : [raw]).map(parseOne) : parseOne(raw);
  if (o.long === 'port') module.port = value as number;
  else (module.options as Record<string, unknown>)[o.option!] = value;
  // A module's own trust anchors replace serve's, whichever form either came in.
  if (o.option === 'caFile') delete module.options.ca;
}

/**
 * Modules from the parsed file (`{ modules: { NAME: { key: value } } }`), each starting from
 * `base` (serve's own options) and checked as a probe would check them. Bad input is a
 * UsageError naming the file, the module and the key.
 */
export function modulesFrom(doc: unknown, file: string, base: ExporterModule): Map<string, ExporterModule> {
  const modules = new Map<string, ExporterModule>([[DEFAULT_MODULE, base]]);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file}: expected a mapping with a 'modules' key`);
  const extra = Object.keys(doc).filter((k) => k !== 'modules');
  if (extra.length) throw new UsageError(`${file}: unknown top-level key '${extra[0]}' (only 'modules')`);
  const list = (doc as { modules?: unknown }).modules;
  if (list === null || typeof list !== 'object' || Array.isArray(list)) throw new UsageError(`${file}: 'modules' must map module names to options`);
  for (const [name, spec] of Object.entries(list)) {
    const where = `${file}: module '${name}'`;
    if (name === DEFAULT_MODULE) throw new UsageError(`${where}: the name is taken by the options given on the command line`);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`${where}: names are letters, digits, '_', '.', '-'`);
    if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) throw new UsageError(`${where}: expected a mapping of options`);
    const module: ExporterModule = { name, options: { ...base.options }, ...(base.port !== undefined && { port: base.port }) };
    for (const [key, value] of Object.entries(spec ?? {})) applyKey(module, key, value, where, dirname(file));
    try {
      resolveOptions(module.options);
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
    modules.set(name, module);
  }
  return modules;
}

/** Reads a JSON or YAML modules file (YAML by extension .yaml/.yml; the parser is loaded only then). */
export async function loadModules(file: string, base: ExporterModule): Promise<Map<string, ExporterModule>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--modules ${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  if (/\.ya?ml$/i.test(file)) {
    const { parse } = await import('yaml');
    try {
      // Plain data only: no custom tags, and a bound on alias expansion ("billion laughs").
      doc = parse(text, { maxAliasCount: 100, schema: 'core', uniqueKeys: true });
    } catch (err) {
      throw new UsageError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`);
    }
  }
  return modulesFrom(doc, file, base);
}
