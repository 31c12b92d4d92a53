// TLS_FALLBACK_SCSV (RFC 7507), as sslscan tests it: a ClientHello at a version below the
// server's highest, carrying the SCSV. A server that supports it refuses with
// inappropriate_fallback (§3); one that does not negotiates the lower version. Only meaningful
// when the server accepts two versions or more.
import type { ScanProtocolName } from './types.js';
import { alertText } from '../tls/alerts.js';
import { candidatesFor, protocolRank } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, TLS_FALLBACK_SCSV, VERSION } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

export async function scanFallbackScsv(runner: AttemptRunner, t: ScanTarget, accepted: ScanProtocolName[], signal?: AbortSignal): Promise<{ supported: boolean | null; untestedReason: string | null }> {
  const tls = accepted.filter((p) => protocolRank(p) >= protocolRank('TLSv1')).sort((a, b) => protocolRank(a) - protocolRank(b));
  if (tls.length < 2) return { supported: null, untestedReason: `not applicable: ${tls.length ? `only ${tls[0]} is accepted` : 'no TLS version is accepted'}, nothing to fall back to` };
  const lower = tls[tls.length - 2] as 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
  const suites = [...candidatesFor(lower).map((c) => c.wire), TLS_FALLBACK_SCSV];
  const hello = clientHello({ version: VERSION[lower], suites, servername: t.servername });
  const r = await runner.run(() => rawHelloAttempt(t, hello, { until: 'hello', signal }), 10);
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { supported: null, untestedReason: notTested(r, runner) };
  if (r.kind === 'rejected') return { supported: null, untestedReason: `no answer to a ${lower} hello with the SCSV: ${r.reason}` };
  const f = r.value;
  if (f.kind === 'alert' && f.alert.description === 86) return { supported: true, untestedReason: null };
  if (f.kind === 'hello' && f.hello.version === VERSION[lower]) return { supported: false, untestedReason: null };
  return { supported: null, untestedReason: `unexpected answer to a ${lower} hello with the SCSV: ${f.kind === 'alert' ? alertText(f.alert) : f.kind}` };
}
