// Cross-check: OpenSSL's own DANE implementation (the one Postfix uses) and mxprobe
// must agree on every record, against the same fixture server:
//   openssl s_client -starttls smtp -dane_tlsa_domain mx.test.example -dane_tlsa_rrdata "3 1 1 ..."
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../../fixtures/dns-server.js';
import { tlsa, tlsaText } from '../../fixtures/dane/records.js';
import { DOMAIN, daneZone, tlsaName } from '../../fixtures/dane/zones.js';
import type { Pki } from '../../fixtures/pki.js';
import { probeAll } from '../../src/index.js';
import { options, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
let port: number;

beforeAll(async () => {
  pki = await fx.pki();
  port = (await fx.smtp({ leaf: pki.leaves.good })).port;
});

/** OpenSSL's verdict and the depth it reports ("DANE TLSA 3 1 1 ...: matched EE certificate at depth 0"). */
async function opensslDane(rrdata: string): Promise<{ ok: boolean; depth: number | null; text: string }> {
  const child = spawn('openssl', [
    's_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'smtp', '-name', 'client.test.example', '-brief',
    '-servername', 'mx.test.example', '-dane_tlsa_domain', 'mx.test.example', '-dane_tlsa_rrdata', rrdata,
  ]);
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c));
  child.stderr.on('data', (c: Buffer) => (text += c));
  child.stdin.end(); // EOF on stdin: s_client says goodbye right after the handshake
  const timer = setTimeout(() => child.kill(), 10_000);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const depth = /matched (?:EE|TA) certificate at depth (\d+)/.exec(text);
  return { ok: /Verification: OK/.test(text) && depth !== null, depth: depth ? Number(depth[1]) : null, text };
}

describe('TLSA matching agrees with openssl s_client -dane_tlsa_rrdata', () => {
  // [case, record, authenticated (both tools), depth]
  const cases: [string, (p: Pki) => string, boolean, number | null][] = [
    ['3 1 1 of the leaf', (p) => tlsaText(tlsa(p.leaves.good.certPem, 3, 1, 1)), true, 0],
    ['3 0 1 of the leaf', (p) => tlsaText(tlsa(p.leaves.good.certPem, 3, 0, 1)), true, 0],
    ['3 1 2 of the leaf', (p) => tlsaText(tlsa(p.leaves.good.certPem, 3, 1, 2)), true, 0],
    ['2 1 1 of the intermediate', (p) => tlsaText(tlsa(p.intermediate.certPem, 2, 1, 1)), true, 1],
    ['2 0 1 of the intermediate', (p) => tlsaText(tlsa(p.intermediate.certPem, 2, 0, 1)), true, 1],
    ['2 0 0 of the root (not served: the record carries it)', (p) => tlsaText(tlsa(p.root.certPem, 2, 0, 0)), true, null],
    ['3 1 1 of a key not served (stale)', (p) => tlsaText(tlsa(p.leaves.selfSigned.certPem, 3, 1, 1)), false, null],
    ['2 1 1 of the root (not served, digest only)', (p) => tlsaText(tlsa(p.root.certPem, 2, 1, 1)), false, null],
  ];
  it.each(cases)('%s', async (_name, make, authenticated, depth) => {
    const rrdata = make(pki);
    const ossl = await opensslDane(rrdata);
    expect(ossl.ok, ossl.text).toBe(authenticated);
    if (depth !== null) expect(ossl.depth).toBe(depth);
    const zone = daneZone('ee-match', port, pki);
    const [u, s, m, hex] = rrdata.split(' ');
    zone[tlsaName(port)].TLSA = [{ usage: +u, selector: +s, matchingType: +m, certificate: Buffer.from(hex, 'hex') }];
    const dns = await startDnsServer(zone);
    try {
      const [r] = await probeAll(`${DOMAIN}:${port}`, { ...options(pki, { level: 'dane-only', resolver: [dns.server] }), servername: undefined });
      expect(r.dane!.authenticated, ossl.text).toBe(ossl.ok);
      // Where OpenSSL names the depth of a certificate in the chain as served, so do we.
      if (ossl.ok && r.dane!.records[0].match) expect(r.dane!.records[0].match.depth).toBe(ossl.depth);
    } finally {
      await dns.close();
    }
  });
});
