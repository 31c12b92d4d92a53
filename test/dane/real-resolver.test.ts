// End to end with real DNSSEC: Knot DNS signs and serves mxprobe.test on a loopback
// port, Unbound validates it from a trust anchor on another one, and mxprobe --level dane-only
// resolves MX, A and TLSA through Unbound, reads the AD bit Unbound sets, and checks the SMTP
// fixture's leaf against the signed 3 1 1 record. Asking Knot directly shows the other half of
// the contract: an authoritative server never sets AD, so nothing counts as DNSSEC-validated.
//
// Needs knotd and unbound (Debian packages knot, unbound; .ci/run installs them as root).
// Without them the file is skipped with one loud line, except under CI=true, where it fails.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnssecLab, type DnssecLab } from '../../fixtures/dnssec/lab.js';
import { dnssecTools } from '../../fixtures/dnssec/tools.js';
import { MX, STALE_DOMAIN, STALE_MX, ZONE, mxprobeZone, tlsaOwner } from '../../fixtures/dnssec/zone.js';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { probeAll } from '../../src/index.js';
import type { Level, ProbeOptions, ProbeResult } from '../../src/types.js';
import { EHLO_NAME, SHORT, finding } from '../probe/helpers.js';
import { expectParity } from '../policy/parity.js';

const found = dnssecTools();
const missing = 'reason' in found ? found.reason : null;
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const NAME = 'DANE through a real validating resolver (Unbound) and a signing authoritative server (Knot DNS)';

function describeReal(body: () => void): void {
  if (!missing) {
    describe(NAME, body);
  } else if (inCi) {
    describe(NAME, () => {
      it('has knotd and unbound (required when CI=true)', () => {
        throw new Error(`CI=true but ${missing}`);
      });
    });
  } else {
    console.warn(`SKIPPED ${NAME}: ${missing}`);
    describe.skip(NAME, body);
  }
}

const codes = (r: ProbeResult) => r.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
const verbs = (r: ProbeResult) => r.smtp.replies.map((x) => x.command.split(/[ :]/)[0].toUpperCase());

describeReal(() => {
  let pki: Pki;
  let smtp: SmtpFixture | undefined;
  let lab: DnssecLab | undefined;
  let started = 0;

  beforeAll(async () => {
    const t = Date.now();
    pki = await createPki();
    smtp = await startSmtpFixture({ leaf: pki.leaves.good });
    lab = await startDnssecLab({ zone: ZONE, records: mxprobeZone(smtp.port, pki) });
    started = Date.now() - t;
    console.log(`real resolver: knot ${lab.versions.knot} on 127.0.0.1:${lab.knotPort}, unbound ${lab.versions.unbound} on ${lab.resolver}, up in ${started} ms`);
  }, 15_000);

  afterAll(async () => {
    const dir = lab?.dir;
    await lab?.stop();
    await smtp?.close();
    if (dir) expect(existsSync(dir)).toBe(false);
  }, 10_000);

  const probeVia = async (server: string, domain: string, level: Level): Promise<ProbeResult> => {
    // No servername: names come from the MX host, as for a real MX lookup. The test root is
    // the only CA, but DANE-EE does not consult it.
    // quitAfter 'mail': when the level is met the session goes on to MAIL FROM, as Postfix's
    // would; when it is not, it must end before MAIL.
    const o: ProbeOptions = { level, resolver: [server], ca: pki.root.pem, ehlo: EHLO_NAME, quitAfter: 'mail', ...SHORT };
    const results = await probeAll(`${domain}:${smtp!.port}`, o);
    expect(results).toHaveLength(1);
    return results[0];
  };

  it('the zone really is signed: Knot answers with RRSIGs and no AD, Unbound validates and sets AD', async () => {
    const owner = tlsaOwner(smtp!.port, MX);
    const direct = await lab!.query(lab!.knotPort, owner, 'TLSA');
    expect(direct).toMatchObject({ rcode: 'NOERROR', flag_aa: true, flag_ad: false });
    expect(direct.answers!.map((a) => a.type).sort()).toEqual(['RRSIG', 'TLSA']);
    const validated = await lab!.query(lab!.unboundPort, owner, 'TLSA');
    expect(validated).toMatchObject({ rcode: 'NOERROR', flag_ad: true, flag_aa: false });
    // A name outside the island of trust is refused, never looked up on the internet.
    expect((await lab!.query(lab!.unboundPort, 'example.com', 'A')).rcode).toBe('REFUSED');
    expect(lab!.trustAnchor).toMatch(new RegExp(`^${ZONE}\\. 300 IN DNSKEY 257 3 13 `));
  });

  it(`dane-only via Unbound: ${ZONE} MX ${MX}, 3 1 1 matching the leaf: DANE-EE authenticated, OK`, async () => {
    const r = await probeVia(lab!.resolver, ZONE, 'dane-only');
    expect(r.status).toBe('ok');
    expect(codes(r)).toEqual([]);
    expect(r.dane).toMatchObject({
      mxSecure: true, addressSecure: true, lookup: 'secure', ad: true, dnsStatus: 'NOERROR',
      effectiveLevel: 'dane', authenticated: true, matchedBy: 'dane-ee',
      tlsaName: tlsaOwner(smtp!.port, MX), baseDomain: MX,
    });
    expect(r.dane!.records).toHaveLength(1);
    expect(r.dane!.records[0]).toMatchObject({ usage: 3, selector: 1, matchingType: 1, usable: true, match: { depth: 0 } });
    expect(r.dane!.records[0].match!.sha256).toBe(pki.leaves.good.sha256);
    expect(finding(r, 'dane-authenticated')?.message).toMatch(/DANE-EE.*depth 0/);
    // The level was met, so the session went on past TLS as Postfix's would.
    expect(verbs(r)).toContain('MAIL');
  });

  it(`dane-only via Unbound: ${STALE_DOMAIN} MX ${STALE_MX}, stale 3 1 1: CRITICAL dane-mismatch, no MAIL`, async () => {
    const r = await probeVia(lab!.resolver, STALE_DOMAIN, 'dane-only');
    expect(r.status).toBe('critical');
    expect(codes(r)).toEqual(['dane-mismatch']);
    expect(r.dane).toMatchObject({ mxSecure: true, addressSecure: true, ad: true, effectiveLevel: 'dane', authenticated: false, tlsaName: tlsaOwner(smtp!.port, STALE_MX) });
    expect(r.dane!.records[0].match).toBeNull();
    expect(verbs(r)).not.toContain('MAIL');
  });

  it('asking Knot directly (authoritative, no AD): nothing is validated; dane-only defers, dane falls back to may', async () => {
    const only = await probeVia(lab!.knotServer, ZONE, 'dane-only');
    expect(only.status).toBe('critical');
    expect(codes(only)).toEqual(['dane-required']);
    expect(only.dane).toMatchObject({ mxSecure: false, addressSecure: false, lookup: 'not-looked-up', effectiveLevel: 'defer', authenticated: null });
    expect(verbs(only)).not.toContain('MAIL');

    const dane = await probeVia(lab!.knotServer, ZONE, 'dane');
    expect(dane.dane).toMatchObject({ mxSecure: false, addressSecure: false, lookup: 'not-looked-up', effectiveLevel: 'may' });
    expect(dane.status).toBe('ok');
  });

  it('policy parity: a one-entry dane / dane-only table gives the probe\'s verdict, through Unbound and through Knot', async () => {
    const seen: string[] = [];
    for (const server of [lab!.resolver, lab!.knotServer]) {
      for (const domain of [ZONE, STALE_DOMAIN]) {
        for (const level of ['dane', 'dane-only'] as const) {
          const base: ProbeOptions = { resolver: [server], ca: pki.root.pem, ehlo: EHLO_NAME, ...SHORT };
          const v = await expectParity({ destination: `${domain}:${smtp!.port}`, level }, base);
          seen.push(`${server === lab!.resolver ? 'unbound' : 'knot'} ${domain} ${level}: ${v.deliver ? 'deliver' : 'defer'}`);
        }
      }
    }
    expect(seen).toEqual([
      `unbound ${ZONE} dane: deliver`, `unbound ${ZONE} dane-only: deliver`,
      `unbound ${STALE_DOMAIN} dane: defer`, `unbound ${STALE_DOMAIN} dane-only: defer`,
      // Knot sets no AD bit: nothing is validated, dane falls back to may, dane-only defers.
      `knot ${ZONE} dane: deliver`, `knot ${ZONE} dane-only: defer`,
      `knot ${STALE_DOMAIN} dane: deliver`, `knot ${STALE_DOMAIN} dane-only: defer`,
    ]);
  });

  it('Unbound only ever got answers from Knot on 127.0.0.1, and validated them', () => {
    const log = lab!.unboundLog();
    const replies = log.split('\n').filter((l) => /reply from </.test(l));
    expect(replies.length).toBeGreaterThan(0);
    for (const line of replies) expect(line).toContain(`127.0.0.1#${lab!.knotPort}`);
    expect(log).toMatch(/validation success/);
    expect(log).not.toMatch(/validation failure|sec_status_bogus/);
    expect(lab!.knotLog()).toMatch(/DNSSEC, successfully signed/);
  });
});
