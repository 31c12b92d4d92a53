// Fetch https://mta-sts.DOMAIN/.well-known/mta-sts.txt as RFC 8461 §3.3 demands:
// full certificate validation for mta-sts.DOMAIN, HTTP 200 only (3xx redirects
// are not followed), media type text/plain, a size bound and a deadline.
import { rootCertificates } from 'node:tls';
import type { LookupFunction } from 'node:net';
import type { MtaStsFacts } from '../types.js';

/** RFC 8461 §3.2 gives no size; 64 KiB is far above any real policy and bounds a hostile one. */
export const MAX_POLICY_BYTES = 64 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

export type FetchFacts = NonNullable<MtaStsFacts['fetch']>;

export interface FetchOptions {
  /** PEM trust anchors (replace the bundled roots unless appendCa). */
  ca?: string;
  appendCa?: boolean;
  port?: number;
  timeoutMs?: number;
  /** Name → address, e.g. through --resolver; default the system's getaddrinfo. */
  lookup?: LookupFunction;
}

export function policyUrl(domain: string, port = 443): string {
  return `https://mta-sts.${domain}${port === 443 ? '' : `:${port}`}/.well-known/mta-sts.txt`;
}

export async function fetchStsPolicy(domain: string, o: FetchOptions = {}): Promise<FetchFacts & { body: string | null }> {
  // Loaded on first use: a plain probe never needs it, and every built-in costs startup time.
  const { request } = await import('node:https');
  const host = `mta-sts.${domain}`;
  const url = policyUrl(domain, o.port);
  const timeoutMs = o.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const facts: FetchFacts & { body: string | null } = { url, status: null, contentType: null, bytes: null, error: null, body: null };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error: string | null, body: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...facts, error, body });
    };
    const req = request({
      host,
      port: o.port ?? 443,
      path: '/.well-known/mta-sts.txt',
      method: 'GET',
      servername: host,
      ca: o.ca ? (o.appendCa ? [...rootCertificates, o.ca] : o.ca) : undefined,
      rejectUnauthorized: true,
      agent: false,
      lookup: o.lookup,
      headers: { 'user-agent': 'mxprobe', accept: 'text/plain' },
    }, (res) => {
      facts.status = res.statusCode ?? null;
      facts.contentType = res.headers['content-type'] ?? null;
      if (facts.status !== null && facts.status >= 300 && facts.status < 400) {
        return finish(`HTTP ${facts.status} redirect${res.headers.location ? ` to ${res.headers.location}` : ''} not followed (RFC 8461 §3.3)`);
      }
      if (facts.status !== 200) return finish(`HTTP ${facts.status} (RFC 8461 §3.3 wants 200)`);
      const media = (facts.contentType ?? '').split(';')[0].trim().toLowerCase();
      if (media !== 'text/plain') return finish(`content type "${facts.contentType ?? '(none)'}", RFC 8461 §3.2 requires text/plain`);
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > MAX_POLICY_BYTES) {
        facts.bytes = declared;
        return finish(`policy of ${declared} bytes exceeds the ${MAX_POLICY_BYTES}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        facts.bytes = bytes;
        if (bytes > MAX_POLICY_BYTES) return finish(`policy larger than the ${MAX_POLICY_BYTES}-byte limit (stopped reading)`);
        chunks.push(chunk);
      });
      res.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (err) => finish(`reading the policy: ${err.message}`));
    });
    const timer = setTimeout(() => finish(`no complete policy within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(httpsError(err, host)));
    req.end();
  });
}

function httpsError(err: NodeJS.ErrnoException, host: string): string {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `certificate of ${host} does not name ${host}`;
  if (/CERT|SIGNED|ISSUER|VERIFY/.test(code)) return `certificate of ${host} not trusted (${code})`;
  return `${host}: ${code || err.message}`;
}
