// ProbeResults as Prometheus metrics: the body of `mxprobe serve`'s /probe and of
// `--format prometheus` (node_exporter's textfile collector). One set of names for both, so a
// dashboard works on either. Every per-probe series carries destination, host, address and port:
// a domain's MX hosts (and --all-addresses) give one series each.
import type { ProbeResult, Status } from '../types.js';
import { STATUS_ORDER } from '../status.js';
import { renderFamilies, type Labels, type MetricFamily, type Sample } from './exposition.js';

export interface PrometheusOptions {
  /** Adds mxprobe_run_timestamp_seconds (textfile collector: how old the file is). */
  runTimestampMs?: number;
  /** Extra families appended (serve adds its scrape duration). */
  extra?: MetricFamily[];
}

/** 0 ok, 1 warning, 2 critical, 3 unknown: the Nagios exit code of the status. */
export const statusValue = (s: Status): number => Math.max(0, STATUS_ORDER.indexOf(s));

/** Passed: the level was met (a warning such as "expires in 20 days" still passes). */
export const successValue = (r: ProbeResult): number => (r.status === 'ok' || r.status === 'warning' ? 1 : 0);

const PHASES = ['resolve', 'connect', 'banner', 'ehlo', 'starttls', 'handshake', 'total'] as const;

function probeLabels(r: ProbeResult): Labels {
  return { destination: r.destination, host: r.host, address: r.address ?? '', port: r.port };
}

/** "MAIL FROM:<a@b>" → "MAIL"; "<end of data>" → "DATA-END". The label stays a short fixed word. */
function commandVerb(command: string): string {
  if (command === '<end of data>') return 'DATA-END';
  return command.split(/[ :]/)[0].toUpperCase();
}

type Family = { name: string; help: string; samples: (r: ProbeResult, base: Labels) => Sample[] };
const one = (labels: Labels, value: number): Sample[] => [{ labels, value }];
const bool = (b: boolean) => (b ? 1 : 0);

const FAMILIES: Family[] = [
  { name: 'mxprobe_success', help: 'Whether the probe met its security level (1) or not (0); warnings still pass.', samples: (r, l) => one(l, successValue(r)) },
  { name: 'mxprobe_status', help: 'Probe status as its Nagios exit code: 0 ok, 1 warning, 2 critical, 3 unknown.', samples: (r, l) => one(l, statusValue(r.status)) },
  {
    name: 'mxprobe_error_info', help: 'The phase and stable code of the error that ended the probe.',
    samples: (r, l) => (r.error ? one({ ...l, phase: r.error.phase, code: r.error.code }, 1) : []),
  },
  {
    name: 'mxprobe_findings', help: 'Findings of the probe by severity.',
    samples: (r, l) => (['info', 'warning', 'critical'] as const).map((severity) => ({ labels: { ...l, severity }, value: r.findings.filter((f) => f.severity === severity).length })),
  },
  { name: 'mxprobe_tls_version_info', help: 'The negotiated TLS protocol version.', samples: (r, l) => (r.tls ? one({ ...l, version: r.tls.protocol }, 1) : []) },
  {
    name: 'mxprobe_tls_cipher_info', help: 'The negotiated cipher (OpenSSL name) and key-exchange group.',
    samples: (r, l) => (r.tls ? one({ ...l, cipher: r.tls.cipher.name, group: r.tls.keyExchange?.group ?? '' }, 1) : []),
  },
  {
    name: 'mxprobe_cert_not_after_timestamp_seconds', help: 'notAfter of each certificate as served, by chain position (0 = leaf).',
    samples: (r, l) => r.certificates.flatMap((c, i) => {
      const t = Date.parse(c.notAfter);
      return Number.isFinite(t) ? [{ labels: { ...l, position: i, subject: c.subject, sha256: c.sha256 }, value: t / 1000 }] : [];
    }),
  },
  { name: 'mxprobe_cert_trusted', help: 'Whether the served chain verifies to a trust anchor.', samples: (r, l) => (r.verification ? one(l, bool(r.verification.trusted)) : []) },
  { name: 'mxprobe_name_matches', help: 'Whether the leaf certificate names the checked host (Postfix match rules).', samples: (r, l) => (r.verification ? one(l, bool(r.verification.hostnameMatch)) : []) },
  {
    name: 'mxprobe_phase_duration_seconds', help: 'Time spent in each phase of the probe.',
    samples: (r, l) => PHASES.flatMap((phase) => {
      const ms = r.timingMs[phase];
      return ms == null ? [] : [{ labels: { ...l, phase }, value: ms / 1000 }];
    }),
  },
  {
    name: 'mxprobe_smtp_reply_code', help: 'SMTP reply code per command (the highest when a command was sent more than once).',
    samples: (r, l) => {
      const byVerb = new Map<string, number>();
      if (r.smtp.banner) byVerb.set('BANNER', r.smtp.banner.code);
      for (const reply of r.smtp.replies) {
        const verb = commandVerb(reply.command);
        byVerb.set(verb, Math.max(byVerb.get(verb) ?? 0, reply.code));
      }
      return [...byVerb].map(([command, code]) => ({ labels: { ...l, command }, value: code }));
    },
  },
  // DANE (RFC 7672) and MTA-STS (RFC 8461): present only when the module asked for them.
  {
    name: 'mxprobe_dane_info', help: 'DANE: outcome of the TLSA lookup and the level Postfix would apply.',
    samples: (r, l) => (r.dane ? one({ ...l, lookup: r.dane.lookup, effective_level: r.dane.effectiveLevel }, 1) : []),
  },
  { name: 'mxprobe_dane_usable_records', help: 'DANE: TLSA records usable by Postfix (usage 2 or 3).', samples: (r, l) => (r.dane ? one(l, r.dane.records.filter((x) => x.usable).length) : []) },
  {
    name: 'mxprobe_dane_authenticated', help: 'DANE: whether a usable TLSA record matched the chain.',
    samples: (r, l) => (r.dane && r.dane.authenticated !== null ? one(l, bool(r.dane.authenticated)) : []),
  },
  {
    name: 'mxprobe_mta_sts_policy_info', help: 'MTA-STS: the mode of the published policy (none when no policy could be had).',
    samples: (r, l) => (r.mtaSts ? one({ ...l, mode: r.mtaSts.policy?.mode ?? 'none' }, 1) : []),
  },
  { name: 'mxprobe_mta_sts_mx_match', help: 'MTA-STS: whether the policy lists this MX host.', samples: (r, l) => (r.mtaSts?.policy ? one(l, bool(r.mtaSts.mxPattern !== null)) : []) },
  {
    name: 'mxprobe_mta_sts_would_refuse', help: 'MTA-STS: whether senders enforcing the policy would refuse to deliver to this MX host.',
    samples: (r, l) => (r.mtaSts ? one(l, bool(r.mtaSts.wouldRefuse)) : []),
  },
];

/** Metric families for the results, in a fixed order; empty families are left out. */
export function prometheusFamilies(results: readonly ProbeResult[]): MetricFamily[] {
  const labels = results.map(probeLabels);
  return FAMILIES.map((f) => ({
    name: f.name, help: f.help, type: 'gauge' as const,
    samples: results.flatMap((r, i) => f.samples(r, labels[i])),
  }));
}

/** Exposition text (format 0.0.4) for the results. */
export function renderPrometheus(results: readonly ProbeResult[], o: PrometheusOptions = {}): string {
  const families = prometheusFamilies(results);
  if (o.runTimestampMs !== undefined) {
    families.push({ name: 'mxprobe_run_timestamp_seconds', help: 'When the run that wrote these metrics ended.', type: 'gauge', samples: [{ labels: {}, value: o.runTimestampMs / 1000 }] });
  }
  return renderFamilies([...families, ...(o.extra ?? [])]);
}
