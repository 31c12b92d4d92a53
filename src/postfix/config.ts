// The Postfix configuration as smtpd would see it: through postconf(1) when it is there (it knows
// the defaults, $name expansion and master.cf syntax of the installed version), else main.cf and
// master.cf read directly with the defaults of the Postfix version given (src/postfix/defaults.ts).
// postconf runs once per parameter set: -n, -F, -P and the main parameters at once, then once per
// distinct set of master.cf -o overrides (postconf -x -o name=value ...: the values smtpd gets).
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { expand, parseMainCf, parseMasterCf, readConfigFile } from './config-files.js';
import { DEFAULT_POSTFIX_VERSION, defaultsFor } from './defaults.js';
import { findPostconf, groupByService, runPostconf } from './postconf.js';
import type { ConfigSource, MasterService } from './types.js';

/** Everything smtpd's TLS depends on (smtpd.c pre_jail_init, tls_server.c), plus what names a listener. */
export const SMTPD_PARAMETERS = [
  'smtpd_tls_security_level', 'smtpd_use_tls', 'smtpd_enforce_tls', 'smtpd_tls_wrappermode', 'smtpd_tls_auth_only',
  'smtpd_sasl_auth_enable', 'smtpd_tls_ask_ccert', 'smtpd_tls_req_ccert', 'smtpd_tls_protocols', 'smtpd_tls_mandatory_protocols',
  'smtpd_tls_ciphers', 'smtpd_tls_mandatory_ciphers', 'smtpd_tls_exclude_ciphers', 'smtpd_tls_mandatory_exclude_ciphers',
  'tls_high_cipherlist', 'tls_medium_cipherlist', 'tls_low_cipherlist', 'tls_export_cipherlist', 'tls_null_cipherlist',
  'smtpd_tls_chain_files', 'smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_eccert_file', 'smtpd_tls_eckey_file',
  'smtpd_tls_dcert_file', 'smtpd_tls_dkey_file', 'smtpd_tls_CAfile', 'smtpd_tls_received_header',
  'smtpd_tls_session_cache_database', 'smtpd_tls_session_cache_timeout', 'smtpd_tls_loglevel', 'tls_server_sni_maps',
  'syslog_name', 'myhostname',
] as const;

/** main.cf-wide: the version, where listeners bind, the client side. */
export const MAIN_PARAMETERS = [
  ...SMTPD_PARAMETERS, 'config_directory', 'mail_version', 'compatibility_level', 'inet_interfaces', 'inet_protocols',
  'known_tcp_ports', 'smtp_tls_security_level', 'smtp_use_tls', 'smtp_enforce_tls', 'smtp_tls_enforce_peername',
  'smtp_tls_CAfile', 'smtp_tls_CApath', 'smtp_tls_policy_maps', 'smtp_tls_per_site', 'smtp_tls_protocols',
  'smtp_tls_mandatory_protocols', 'smtp_tls_ciphers', 'smtp_tls_mandatory_ciphers', 'smtp_tls_loglevel', 'tls_append_default_CA',
] as const;

export interface PostfixConfig {
  source: ConfigSource;
  configDir: string;
  /** mail_version (postconf), or the version whose defaults were assumed (files). */
  version: string;
  /** main.cf as written (postconf -n): for the lints. */
  explicit: Record<string, string>;
  /** MAIN_PARAMETERS, expanded, defaults filled in. */
  main: Record<string, string>;
  services: MasterService[];
  /** SMTPD_PARAMETERS of one master.cf service, with its -o overrides applied and expanded. */
  paramsOf(service: MasterService): Record<string, string>;
  /** postconf's own warnings, as it printed them (deduplicated). */
  warnings: string[];
  notes: string[];
}

export interface ReadOptions {
  configDir?: string;
  postconf?: string | false;
  postfixVersion?: string;
}

function checkConfigDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`Postfix configuration directory ${dir} does not exist`);
  }
  if (!isDir) throw new UsageError(`Postfix configuration directory ${dir} is not a directory`);
}

const key = (s: MasterService) => `${s.service}/${s.type}`;
const toRecord = (entries: [string, string][]) => Object.fromEntries(entries);
/** "unknown parameter" for a name we asked about (an older Postfix lacks it) is not news. */
const news = (w: string) => !/^[a-z0-9_]+: unknown parameter$/.test(w);

async function viaPostconf(bin: string, configDir: string | undefined): Promise<PostfixConfig> {
  const [n, f, p, x] = await Promise.all([
    runPostconf(bin, configDir, ['-n']),
    runPostconf(bin, configDir, ['-F']),
    runPostconf(bin, configDir, ['-P']),
    runPostconf(bin, configDir, ['-x', ...MAIN_PARAMETERS]),
  ]);
  const fields = groupByService(f.entries);
  const overrides = groupByService(p.entries);
  const services: MasterService[] = [...fields].map(([k, v]) => ({
    service: v.get('service') ?? k.slice(0, k.lastIndexOf('/')),
    type: v.get('type') ?? k.slice(k.lastIndexOf('/') + 1),
    private: v.get('private') ?? '-', unprivileged: v.get('unprivileged') ?? '-', chroot: v.get('chroot') ?? '-',
    wakeup: v.get('wakeup') ?? '-', processLimit: v.get('process_limit') ?? '-',
    command: (v.get('command') ?? '').split(/\s+/)[0],
    overrides: Object.fromEntries(overrides.get(k) ?? []),
  }));
  const main = toRecord(x.entries);
  const warnings = new Set([...n.warnings, ...f.warnings, ...p.warnings, ...x.warnings].filter(news));
  // One run per distinct override set of the services that matter (smtpd, postscreen).
  const wanted = services.filter((s) => (s.command === 'smtpd' || s.command === 'postscreen') && Object.keys(s.overrides).length > 0);
  const bySet = new Map<string, Promise<Record<string, string>>>();
  for (const s of wanted) {
    const set = JSON.stringify(s.overrides);
    if (bySet.has(set)) continue;
    const args = ['-x', ...Object.entries(s.overrides).flatMap(([k, v]) => ['-o', `${k}=${v}`]), ...SMTPD_PARAMETERS];
    bySet.set(set, runPostconf(bin, configDir, args).then((r) => {
      r.warnings.filter(news).forEach((w) => warnings.add(w));
      return toRecord(r.entries);
    }));
  }
  const resolved = new Map<string, Record<string, string>>();
  for (const [set, pending] of bySet) resolved.set(set, await pending);
  const perService = new Map(wanted.map((s) => [key(s), resolved.get(JSON.stringify(s.overrides))!]));
  return {
    source: 'postconf', configDir: main.config_directory ?? configDir ?? '', version: main.mail_version ?? '',
    explicit: toRecord(n.entries), main, services,
    paramsOf: (s) => perService.get(key(s)) ?? pick(main, SMTPD_PARAMETERS),
    warnings: [...warnings], notes: [],
  };
}

function pick(from: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, from[n] ?? '']));
}

function viaFiles(configDir: string, version: string, why: string): PostfixConfig {
  const explicit = parseMainCf(readConfigFile(configDir, 'main.cf'), `${configDir}/main.cf`);
  const services = parseMasterCf(readConfigFile(configDir, 'master.cf'), `${configDir}/master.cf`);
  const defaults = defaultsFor(version, explicit.compatibility_level);
  // What postconf -d computes from the system rather than from mail_params.h.
  const builtins: Record<string, string> = { config_directory: configDir, mail_version: version, myhostname: hostname() };
  const evaluate = (names: readonly string[], overrides: Record<string, string>) => {
    const lookup = (name: string) => overrides[name] ?? explicit[name] ?? defaults[name] ?? builtins[name];
    return Object.fromEntries(names.map((n) => [n, expand(lookup(n) ?? '', lookup)]));
  };
  const main = evaluate(MAIN_PARAMETERS, {});
  return {
    source: 'files', configDir, version, explicit, main, services,
    paramsOf: (s) => evaluate(SMTPD_PARAMETERS, s.overrides),
    warnings: [],
    notes: [
      `${why}: main.cf and master.cf were read directly; defaults are those of Postfix ${version} (postfixVersion), myhostname defaults to this machine's name (${builtins.myhostname})`,
    ],
  };
}

/** Read the configuration: postconf when available (or given), else the files themselves. */
export async function readPostfixConfig(o: ReadOptions = {}): Promise<PostfixConfig> {
  if (o.configDir !== undefined) checkConfigDir(o.configDir);
  const bin = o.postconf === false ? null : o.postconf ?? findPostconf();
  if (bin) {
    const config = await viaPostconf(bin, o.configDir);
    if (o.postfixVersion) config.notes.push(`postfixVersion ${o.postfixVersion} ignored: postconf reports Postfix ${config.version}`);
    return config;
  }
  const dir = o.configDir ?? '/etc/postfix';
  checkConfigDir(dir);
  return viaFiles(dir, o.postfixVersion ?? DEFAULT_POSTFIX_VERSION, o.postconf === false ? 'postconf not used' : 'postconf not found');
}
