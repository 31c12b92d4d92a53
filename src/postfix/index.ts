// `mxprobe postfix` as a library call: read the configuration the way Postfix does, find the
// smtpd listeners, check their certificate files offline, probe each listener (all at once, one
// connection at a time each) and compare configured with served, lint the rest. Bad input (no
// such directory, unreadable main.cf, a postconf that fails) rejects with a one-line UsageError;
// everything the servers do comes back as data.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parseLevel } from '../policy/match.js';
import { statusOfFindings, worstStatus } from '../status.js';
import { SCHEMA_VERSION } from '../types.js';
import { checkCertificateFiles, trustAnchors } from './cert-check.js';
import { compareListener } from './compare.js';
import { readPostfixConfig } from './config.js';
import { findListeners, type ListenerPlan } from './listeners.js';
import { clientSettings, lintConfig } from './lint.js';
import { probeServed } from './served.js';
import { smtpdTlsSettings } from './settings.js';
import type { PostfixCheckOptions, PostfixFinding, PostfixListener, PostfixReport } from './types.js';

export type * from './types.js';

const PROBE_FINDINGS_COMPARED = new Set(['auth-before-tls', 'no-tls', 'starttls-refused', 'starttls-not-offered']);

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read CA file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function days(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${name} must be a number of days >= 0, got ${value}`);
  return v;
}

/** Check this host's Postfix: configuration, certificate files, and (unless offline) what each listener serves. */
export async function checkPostfix(options: PostfixCheckOptions = {}): Promise<PostfixReport> {
  const t0 = performance.now();
  const level = parseLevel(options.level ?? 'verify');
  const warnDays = days(options.warnDays, 21, 'warnDays');
  const critDays = days(options.critDays, 7, 'critDays');
  const caPem = options.caFile !== undefined ? readCaFile(options.caFile) : undefined;
  const config = await readPostfixConfig({ configDir: options.configDir, postconf: options.postconf, postfixVersion: options.postfixVersion });
  const tConfig = performance.now();

  const myhostname = config.main.myhostname ?? '';
  const names = [...new Set([myhostname, ...(options.hosts ?? [])].filter(Boolean))];
  const anchors = trustAnchors(caPem);
  const { listeners: plans, findings: listenerFindings } = findListeners(config);
  const prepared = plans.map((plan) => {
    const params = config.paramsOf(plan.tlsService);
    const { settings, findings } = smtpdTlsSettings(params);
    const files = settings.level === 'none' && settings.certificates.files.length === 0
      ? null
      : checkCertificateFiles(settings, params, { names, anchors, level, warnDays, critDays });
    return { plan, settings, files, findings: [...findings, ...(files?.findings ?? [])] };
  });
  const tFiles = performance.now();

  const served = options.offline
    ? prepared.map(() => null)
    : await Promise.all(prepared.map(({ plan, settings }) => probeServed(plan.address, plan.port, settings.wrappermode ? 'implicit' : 'starttls', settings, {
      servername: myhostname || plan.address, level, ca: caPem, ehlo: options.ehlo, warnDays, critDays,
      connectTimeoutMs: options.connectTimeoutMs, timeoutMs: options.timeoutMs, tlsTimeoutMs: options.tlsTimeoutMs, signal: options.signal,
    })));
  const tProbe = performance.now();

  const listeners: PostfixListener[] = prepared.map(({ plan, settings, files, findings }, i) => {
    const s = served[i];
    const mode = settings.wrappermode ? 'implicit' : 'starttls';
    const compared = compareListener({ mode, settings, files: files?.check ?? null, served: s, critDays });
    const probeFindings: PostfixFinding[] = (s?.probe.findings ?? []).filter((f) => !PROBE_FINDINGS_COMPARED.has(f.code)).map((f) => ({
      ...f, parameter: null,
      ...(f.code === 'refused' && { cause: 'nothing listens there: is Postfix running (postfix status), or was master.cf changed without postfix reload?' }),
    }));
    const all = [...findings, ...compared.findings, ...probeFindings];
    return {
      service: plan.service.service, label: plan.label, command: plan.service.command, bindAddress: plan.bindAddress,
      address: plan.address, port: plan.port, mode, overrides: plan.tlsService.overrides, settings,
      files: files?.check ?? null, rows: compared.rows, served: s, status: statusOfFindings(all), findings: all,
    };
  });

  const client = clientSettings(config);
  const findings = [...listenerFindings, ...lintConfig(config, prepared), ...client.findings];
  if (config.source === 'files') findings.unshift({ severity: 'info', code: 'no-postconf', parameter: null, message: config.notes[0] });
  const notes = [...config.notes, ...plans.flatMap((p: ListenerPlan) => p.notes.map((n) => `${p.label}: ${n}`))];
  if (options.offline) notes.push('offline: configuration and files only, no listener was probed');
  return {
    schemaVersion: SCHEMA_VERSION, kind: 'postfix', configDir: config.configDir, source: config.source,
    postfixVersion: config.version || null, myhostname, names, offline: options.offline === true,
    status: worstStatus([statusOfFindings(findings), ...listeners.map((l) => l.status)]),
    findings, listeners, client: client.client, notes,
    timingMs: {
      config: Math.round(tConfig - t0), files: Math.round(tFiles - tConfig), probe: Math.round(tProbe - tFiles), total: Math.round(performance.now() - t0),
    },
  };
}
