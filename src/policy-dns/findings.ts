// Findings for DANE, MTA-STS and TLSRPT, with stable codes (README "DANE / MTA-STS").
// Severity follows what a sending Postfix (or an MTA-STS sender) would do:
// deferred or refused mail is critical, a degraded but working path a warning.
import type { Finding, ProbeResult } from '../types.js';
import { USAGE_NAMES } from '../dane/tlsa.js';

type Add = (severity: Finding['severity'], code: string, message: string) => void;

export function policyFindings(result: ProbeResult): Finding[] {
  const findings: Finding[] = [];
  const add: Add = (severity, code, message) => findings.push({ severity, code, message });
  daneFindings(result, add);
  mtaStsFindings(result, add);
  tlsrptFindings(result, add);
  return findings;
}

function short(text: string): string {
  const [u, s, m, data] = text.split(' ');
  return data && data.length > 16 ? `${u} ${s} ${m} ${data.slice(0, 12)}…` : text;
}

function daneFindings(r: ProbeResult, add: Add): void {
  const d = r.dane;
  if (!d) return;
  for (const rec of d.records) {
    if (!rec.usable) add('info', 'tlsa-record-unusable', `TLSA ${short(rec.text)} ignored: ${rec.unusableReason}`);
  }
  const only = r.level === 'dane-only';
  switch (d.effectiveLevel) {
    case 'may':
      add('info', 'dane-not-applicable', `${d.reason}; Postfix falls back to opportunistic TLS (may)`);
      break;
    case 'encrypt':
      add('warning', 'tlsa-unusable', `${d.reason}: Postfix falls back to encrypt, the server is not authenticated`);
      break;
    case 'defer':
      if (d.lookup === 'dns-error') add('critical', 'tlsa-lookup-failed', d.reason);
      else add('critical', 'dane-required', `${d.reason}; level dane-only defers mail`);
      break;
    case 'dane':
      if (d.authenticated === true) {
        const rec = d.records.find((x) => x.usable && x.match && (d.matchedBy === 'dane-ee' ? x.usage === 3 && x.match.depth === 0 : x.usage === 2));
        const via = rec ? `TLSA ${short(rec.text)} (${USAGE_NAMES[rec.usage]}) matched the certificate at depth ${rec.match!.depth}` : 'TLSA matched';
        add('info', 'dane-authenticated', `${via}${d.matchedBy === 'dane-ta' ? `, leaf names ${d.checkedNames.join(' or ')}` : ''}`);
      } else if (d.authenticated === false) {
        add('critical', d.nameMatch === false ? 'dane-ta-name-mismatch' : 'dane-mismatch',
          `${d.failure ?? 'TLSA authentication failed'}: Postfix${only ? '' : ' at level dane'} defers mail to this host`);
      }
      break;
  }
  if (d.nextCert) {
    const name = d.tlsaName ?? `_${r.port}._tcp.${r.host}`;
    if (d.nextCert.ready) {
      const recs = d.records.filter((x) => x.matchesNextCert).map((x) => short(x.text));
      add('info', 'rollover-ready', `the next certificate (${d.nextCert.spkiSha256.slice(0, 11)}…) already matches published TLSA ${recs.join(', ')}`);
    } else {
      add('warning', 'rollover-tlsa-missing', `no published TLSA record at ${name} matches the next certificate: add ${d.nextCert.add.map((a) => `"${name}. IN TLSA ${a}"`).join(' or ')} and wait for the TTL before the switch`);
    }
  }
}

function mtaStsFindings(r: ProbeResult, add: Add): void {
  const s = r.mtaSts;
  if (!s) return;
  if (s.txt.id === null) {
    if (s.txt.record !== null || (s.txt.error && !s.txt.error.startsWith('no "v=STSv1"'))) add('warning', 'mta-sts-record-invalid', `_mta-sts.${s.domain}: ${s.txt.error}`);
    else add('info', 'mta-sts-none', `${s.domain} publishes no MTA-STS policy`);
    return;
  }
  if (!s.policy) {
    add('warning', 'mta-sts-policy-unavailable', `MTA-STS record present but the policy cannot be used (${s.fetch?.error ?? 'unknown error'}): senders without a cached policy deliver without it, senders with one keep enforcing the old one`);
    return;
  }
  const why = s.mxPattern === null ? `${r.host} matches no mx pattern of the policy (${s.policy.mx.join(', ')})`
    : s.verified === false ? `the certificate of ${r.host} is not trusted or does not name it`
    : s.wouldRefuse ? `${r.host} does not offer STARTTLS` : null;
  if (s.policy.mode === 'enforce' && s.wouldRefuse) add('critical', 'mta-sts-enforce-failure', `mail would be refused by senders in enforce mode: ${why}`);
  else if (s.policy.mode === 'testing' && why) add('warning', 'mta-sts-testing-failure', `MTA-STS testing mode: ${why}; senders deliver anyway and report it via TLSRPT`);
  else if (why === null && s.verified !== null) add('info', 'mta-sts-ok', `${r.host} matches MTA-STS pattern ${s.mxPattern} (mode ${s.policy.mode}, max_age ${s.policy.maxAge})`);
}

function tlsrptFindings(r: ProbeResult, add: Add): void {
  const t = r.tlsrpt;
  if (!t) return;
  const inUse = r.dane?.effectiveLevel === 'dane' || (r.dane?.records.length ?? 0) > 0 || (r.mtaSts?.policy !== null && r.mtaSts?.policy !== undefined);
  if (t.record !== null && t.error) add('warning', 'tlsrpt-invalid', `_smtp._tls.${t.domain}: ${t.error}`);
  else if (t.record === null && inUse) add('warning', 'tlsrpt-missing', `no TLSRPT record at _smtp._tls.${t.domain}: failures of ${r.mtaSts?.policy ? 'MTA-STS' : 'DANE'} will not be reported to you (RFC 8460)`);
}
