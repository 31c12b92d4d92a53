// Which master.cf services accept SMTP from the network, and where: every `inet` service whose
// command is smtpd (or postscreen, which hands clients to the `smtpd pass` service). master(5):
// the service name of an inet service is [host:]port, where port is a number or a name;
// Postfix >= 3.6 looks names up in known_tcp_ports before services(5); without a host the
// service binds every address of inet_interfaces (all, loopback-only, or a list).
import { readFileSync } from 'node:fs';
import type { PostfixConfig } from './config.js';
import type { MasterService, PostfixFinding } from './types.js';

export interface ListenerPlan {
  service: MasterService;
  /** The service whose -o overrides give the TLS settings (the smtpd pass service behind postscreen). */
  tlsService: MasterService;
  label: string;
  bindAddress: string;
  address: string;
  port: number;
  notes: string[];
}

/** known_tcp_ports: "lmtp=24, smtp=25, smtps=submissions=465, submission=587". */
export function knownTcpPorts(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of value.split(/[\s,]+/).filter(Boolean)) {
    const parts = entry.split('=');
    const port = Number(parts[parts.length - 1]);
    if (Number.isInteger(port)) for (const name of parts.slice(0, -1)) out.set(name, port);
  }
  return out;
}

/** services(5) tcp entries, names and aliases. */
function etcServices(path = '/etc/services'): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^([^#\s]+)\s+(\d+)\/tcp\b([^#]*)/.exec(line);
    if (!m) continue;
    for (const name of [m[1], ...m[3].trim().split(/\s+/).filter(Boolean)]) if (!out.has(name)) out.set(name, Number(m[2]));
  }
  return out;
}

/** "[::1]:smtp" → { host: "::1", port: "smtp" }; "submission" → { host: null, port: "submission" }. */
export function splitServiceName(service: string): { host: string | null; port: string } {
  const bracketed = /^\[([^\]]+)\]:(.+)$/.exec(service);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] };
  const colon = service.lastIndexOf(':');
  return colon < 0 ? { host: null, port: service } : { host: service.slice(0, colon), port: service.slice(colon + 1) };
}

/** Where to connect for a bind address: our own loopback for wildcards. */
function probeAddress(bind: string, protocols: string): string {
  const v6only = /^\s*ipv6\s*$/i.test(protocols);
  if (bind === 'all' || bind === '*' || bind === '' || bind === 'loopback-only') return v6only ? '::1' : '127.0.0.1';
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '::1';
  return bind;
}

export function findListeners(config: PostfixConfig): { listeners: ListenerPlan[]; findings: PostfixFinding[] } {
  const findings: PostfixFinding[] = [];
  const names = knownTcpPorts(config.main.known_tcp_ports ?? '');
  let services: Map<string, number> | null = null;
  const portOf = (name: string): number | null => {
    if (/^\d+$/.test(name)) return Number(name);
    if (names.has(name)) return names.get(name)!;
    services ??= etcServices();
    return services.get(name) ?? null;
  };
  const interfaces = (config.main.inet_interfaces ?? 'all').split(/[\s,]+/).filter(Boolean);
  const pass = config.services.find((s) => s.type === 'pass' && s.command === 'smtpd');
  const listeners: ListenerPlan[] = [];
  for (const s of config.services) {
    if (s.type !== 'inet' || (s.command !== 'smtpd' && s.command !== 'postscreen')) continue;
    const notes: string[] = [];
    const tlsService = s.command === 'postscreen' ? pass : s;
    if (!tlsService) {
      findings.push({ severity: 'warning', code: 'postscreen-without-smtpd', parameter: null, message: `${s.service}: postscreen has no "smtpd pass" service to hand clients to`, cause: 'add the smtpd pass service of the stock master.cf' });
      continue;
    }
    if (s.command === 'postscreen') notes.push(`postscreen answers first and hands clients to "${tlsService.service} pass"; STARTTLS before the hand-off goes through tlsproxy(8) (tlsproxy_tls_* default to the smtpd_tls_* settings)`);
    const { host, port: portName } = splitServiceName(s.service);
    const port = portOf(portName);
    if (port === null) {
      findings.push({ severity: 'warning', code: 'unknown-port', parameter: null, message: `${s.service}: port "${portName}" is in neither known_tcp_ports nor /etc/services`, cause: 'master cannot bind this service' });
      continue;
    }
    const bind = host ?? interfaces.join(', ');
    const first = host ?? interfaces[0] ?? 'all';
    if (!host && interfaces.length > 1) notes.push(`binds ${bind} (inet_interfaces); probed at ${first}`);
    const address = probeAddress(first, config.main.inet_protocols ?? 'all');
    const label = s.overrides.syslog_name ?? tlsService.overrides.syslog_name ?? s.service;
    listeners.push({ service: s, tlsService, label, bindAddress: bind, address, port, notes });
  }
  if (listeners.length === 0) {
    findings.push({ severity: 'warning', code: 'no-smtpd-listener', parameter: null, message: 'master.cf has no smtpd (or postscreen) service of type inet: this Postfix accepts no mail from the network', cause: 'the stock master.cf starts with "smtp inet n - y - - smtpd"' });
  }
  return { listeners, findings };
}
