// --baseline: two runs against servers changed in between report exactly what was changed;
// the comparison and the parser, case by case.
import { describe, expect, it } from 'vitest';
import { createPki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { compareSnapshots, diffDestination, parseBaseline, snapshot, vanishedDestinations, type Baseline } from '../../src/baseline.js';
import { renderChanges, changeText } from '../../src/report/baseline.js';
import { toJson, toNdjsonLine } from '../../src/report/json.js';
import { parseDestination } from '../../src/destination.js';
import { runProbes } from '../../src/run.js';
import { UsageError } from '../../src/errors.js';
import type { Change, ProbeOptions, ProbeResult } from '../../src/types.js';
import { options, useRunFixtures } from './helpers.js';
import { okResult } from '../report/sample.js';

const fx = useRunFixtures();

/** Runs the destinations and compares each with `baseline` the way the CLI does. */
async function runAgainst(inputs: string[], opts: ProbeOptions, baseline?: Baseline): Promise<ProbeResult[]> {
  const all: ProbeResult[] = [];
  await runProbes(inputs.map((i) => parseDestination(i)), opts, {
    concurrency: 10, perHost: 2, retryDelayMs: 10,
    onDestination: (_d, results, complete) => {
      if (baseline) diffDestination(baseline, results, complete);
      all.push(...results);
    },
  });
  return all;
}

const summary = (results: ProbeResult[]) =>
  results.flatMap((r) => r.changes ?? []).map((c) => ({ destination: c.destination, host: c.host, kind: c.kind, before: c.before, after: c.after }));

describe('two runs, three changes made in between', () => {
  it('a swapped certificate, TLS 1.2 cap dropped, an MX added: exactly those changes, then none', async () => {
    const pki = await createPki();
    const closers: SmtpFixture[] = [];
    const start = async (o: Parameters<typeof startSmtpFixture>[0]) => {
      const s = await startSmtpFixture(o);
      closers.push(s);
      return s;
    };
    try {
      const mx1 = await start({ leaf: pki.leaves.good, host: '127.0.0.2' });
      await start({ leaf: pki.leaves.good, host: '127.0.0.3', port: mx1.port });
      let swap = await start({ leaf: pki.leaves.good, host: '127.0.0.4' });
      let capped = await start({ leaf: pki.leaves.good, host: '127.0.0.5', maxVersion: 'TLSv1.2' });
      const dns = await fx.dns({
        'shop.test': { MX: [{ preference: 10, exchange: 'mx1.shop.test' }] },
        'mx1.shop.test': { A: ['127.0.0.2'] },
        'mx2.shop.test': { A: ['127.0.0.3'] },
      });
      const inputs = [`shop.test:${mx1.port}`, `[127.0.0.4]:${swap.port}`, `[127.0.0.5]:${capped.port}`];
      const opts = options(pki, { resolver: [dns.server] });

      const first = await runAgainst(inputs, opts);
      expect(first.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
      const ndjson = first.map(toNdjsonLine).join('');

      // The changes: another certificate, no TLS 1.2 cap, a second MX.
      await swap.close();
      swap = await start({ leaf: pki.leaves.wildcard, host: '127.0.0.4', port: swap.port });
      await capped.close();
      capped = await start({ leaf: pki.leaves.good, host: '127.0.0.5', port: capped.port });
      dns.zone['shop.test'].MX!.push({ preference: 20, exchange: 'mx2.shop.test' });

      const second = await runAgainst(inputs, opts, parseBaseline(ndjson, 'first.ndjson'));
      expect(second).toHaveLength(4);
      const changes = summary(second);
      const leaf = first.find((r) => r.address === '127.0.0.4')!.certificates[0];
      const tls12 = first.find((r) => r.address === '127.0.0.5')!.tls!;
      expect(pki.leaves.wildcard.notAfter.getTime()).toBe(pki.leaves.good.notAfter.getTime()); // so no expiry change
      expect(changes).toHaveLength(4);
      expect(changes).toEqual(expect.arrayContaining([
        { destination: `shop.test:${mx1.port}`, host: 'mx2.shop.test', kind: 'host-added', before: null, after: 'mx2.shop.test' },
        { destination: inputs[1], host: '127.0.0.4', kind: 'leaf', before: leaf.sha256, after: pki.leaves.wildcard.sha256 },
        { destination: inputs[2], host: '127.0.0.5', kind: 'protocol', before: 'TLSv1.2', after: 'TLSv1.3' },
        { destination: inputs[2], host: '127.0.0.5', kind: 'cipher', before: tls12.cipher.name, after: second.find((r) => r.address === '127.0.0.5')!.tls!.cipher.name },
      ]));
      // Unchanged probes carry an empty list, so "nothing changed" is explicit in JSON.
      expect(second.find((r) => r.address === '127.0.0.2')!.changes).toEqual([]);

      // Against the second run (as a JSON array): nothing changed.
      const third = await runAgainst(inputs, opts, parseBaseline(toJson(second), 'second.json'));
      expect(summary(third)).toEqual([]);

      // The MX removed again: reported as gone, on the destination's first result.
      dns.zone['shop.test'].MX!.pop();
      const fourth = await runAgainst(inputs.slice(0, 1), opts, parseBaseline(toJson(second), 'second.json'));
      expect(summary(fourth)).toEqual([{ destination: inputs[0], host: 'mx2.shop.test', kind: 'host-removed', before: 'mx2.shop.test', after: null }]);
    } finally {
      await Promise.all(closers.map((s) => s.close()));
    }
  });
});

describe('comparison', () => {
  const at = (r: ProbeResult) => snapshot(r);
  const kinds = (c: Change[]) => c.map((x) => x.kind);

  it('TLS lost: status, error and tls, and no TLS facts compared against nothing', () => {
    const before = okResult();
    const after = okResult({ status: 'critical', tls: null, certificates: [], error: { phase: 'starttls', code: 'starttls-not-offered', message: '' } });
    expect(kinds(compareSnapshots(at(before), at(after)))).toEqual(['status', 'error', 'tls']);
  });

  it('chain is the part after the leaf; expiry and EHLO keywords are their own changes', () => {
    const before = okResult();
    const after = okResult({
      certificates: [{ ...before.certificates[0], notAfter: '2026-01-01T00:00:00.000Z' }],
      smtp: { ...before.smtp, ehloTls: [...before.smtp.ehloTls!, 'SMTPUTF8'].reverse() },
    });
    const changes = compareSnapshots(at(before), at(after));
    expect(kinds(changes)).toEqual(['chain', 'expiry', 'ehlo-tls']);
    expect(changeText(changes[2])).toBe('+SMTPUTF8');
    expect(changeText(changes[1])).toMatch(/^\d{4}-\d\d-\d\d → 2026-01-01$/);
  });

  it('one address per host on each side (the default: first address that answers): a round-robin move is the same host, compared by its facts', () => {
    const base = parseBaseline(toJson([okResult()]));
    const now = [okResult({ address: '192.0.2.9' })];
    diffDestination(base, now, true);
    expect(now[0].changes).toEqual([]);
    const moved = [okResult({ address: '192.0.2.9', status: 'critical' })];
    diffDestination(base, moved, true);
    expect(kinds(moved[0].changes!)).toEqual(['status']);
  });

  it('with several addresses of a host (--all-addresses): a new address, the old one gone; vanished ones only when the destination completed', () => {
    const base = parseBaseline(toJson([okResult(), okResult({ address: '192.0.2.2' })]));
    const now = [okResult(), okResult({ address: '192.0.2.9' })];
    diffDestination(base, now, true);
    expect(now.flatMap((r) => r.changes!).map((c) => [c.kind, c.before, c.after]).sort()).toEqual([['address-added', null, '192.0.2.9'], ['address-removed', '192.0.2.2', null]]);
    const partial = [okResult(), okResult({ address: '192.0.2.9' })];
    diffDestination(base, partial, false);
    expect(kinds(partial.flatMap((r) => r.changes!))).toEqual(['address-added']);
  });

  it('a destination the baseline does not know: no changes, and the caller is told', () => {
    const base = parseBaseline(toJson([okResult()]));
    const r = [okResult({ destination: 'other.example' })];
    expect(diffDestination(base, r)).toBe(false);
    expect(r[0].changes).toEqual([]);
    expect(vanishedDestinations(base, new Set(['other.example'])).map((c) => [c.kind, c.destination])).toEqual([['destination-removed', 'example.com']]);
  });

  it('DNS failure on one side: the outcome is compared, not the host lists', () => {
    const base = parseBaseline(toJson([okResult(), okResult({ host: 'mx2.example.com', address: '192.0.2.2' })]));
    const failed = [okResult({ host: 'example.com', mx: null, address: null, status: 'critical', tls: null, certificates: [], error: { phase: 'resolve', code: 'dns-nxdomain', message: '' } })];
    diffDestination(base, failed);
    expect(kinds(failed[0].changes!)).toEqual(['status', 'error']);
  });

  it('a change sets `changed`, never the status: the status stays the server\'s verdict', () => {
    const base = parseBaseline(toJson([okResult()]));
    const now = [okResult({ tls: { ...okResult().tls!, protocol: 'TLSv1.2' } })];
    diffDestination(base, now);
    expect(kinds(now[0].changes!)).toEqual(['protocol']);
    expect(now[0].changed).toBe(true);
    expect(now[0].status).toBe('ok');
    const same = [okResult()];
    diffDestination(base, same);
    expect(same[0].changed).toBe(false);
  });

  it('a schemaVersion 2 result forced CRITICAL by --fail-on-change is read as its own verdict', () => {
    const forced = okResult({ schemaVersion: 2, status: 'critical', findings: [{ severity: 'critical', code: 'baseline-changed', message: '1 change' }] });
    expect(snapshot(forced).status).toBe('ok');
  });

  it('the changes section: one row per change, within 100 columns', () => {
    const text = renderChanges([
      { kind: 'protocol', destination: 'example.com', host: 'mx1.example.com', address: '192.0.2.1', port: 25, before: 'TLSv1.2', after: 'TLSv1.3' },
      { kind: 'leaf', destination: 'example.com', host: 'mx1.example.com', address: '192.0.2.1', port: 25, before: 'AB:CD:EF:01:23', after: '01:02:03:04:05' },
      { kind: 'host-removed', destination: 'example.com', host: 'mx2.example.com', address: '192.0.2.2', port: 25, before: 'mx2.example.com', after: null },
    ], { color: false, baselineName: 'prev.json' });
    expect(text.split('\n')[0]).toBe('changes since prev.json (3)');
    expect(text).toContain('TLSv1.2 → TLSv1.3');
    expect(text).toContain('AB:CD:EF:01… → 01:02:03:04…');
    expect(text).toContain('gone: mx2.example.com');
    expect(Math.max(...text.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(100);
    expect(renderChanges([], { color: false })).toBe('no changes since the baseline\n');
  });
});

describe('parseBaseline', () => {
  it.each([
    ['JSON array', toJson([okResult(), okResult({ host: 'mx2.example.com' })]), 2],
    ['one JSON object', toJson(okResult()), 1],
    ['NDJSON with a blank line', `${toNdjsonLine(okResult())}\n${toNdjsonLine(okResult({ destination: 'b.example' }))}`, 2],
  ])('%s', (_name, text, probes) => {
    expect(parseBaseline(text).probes).toBe(probes);
  });

  it.each([
    ['empty', '  \n', /empty file/],
    ['a broken NDJSON line, named by number', `${toNdjsonLine(okResult())}{"destination":\n`, /prev:2: not JSON/],
    ['JSON that is not a result', '[{"a":1}]', /entry 1 \(index 0\) is not an mxprobe result/],
  ])('%s → usage error', (_name, text, message) => {
    expect(() => parseBaseline(text, 'prev')).toThrow(UsageError);
    expect(() => parseBaseline(text, 'prev')).toThrow(message);
  });
});
