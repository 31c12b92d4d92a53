// NCSC-NL "IT Security Guidelines for Transport Layer Security" (v2.1, 2021), as internet.nl's
// mail test applies them: good / sufficient / phase-out / insufficient. Phase-out is a WARNING,
// insufficient is CRITICAL; good and sufficient pass.
import type { ScanCipher, ScanFinding, ScanTier } from '../types.js';
import { describeDhSizes, dhSizes } from '../dh-sizes.js';
import { SET, exclusionTokens } from './settings.js';
import { accepted, acceptedCiphers, cipherFindings, uniq, type ScanFacts } from './common.js';

/** Tier of a cipher by its parts (NCSC tables 2-6: key exchange, authentication, bulk cipher, hash). */
export function ncscCipherTier(c: ScanCipher): ScanTier {
  if (c.grade !== 'high' && c.grade !== 'medium') return 'insufficient';
  if (c.anonymous || c.authentication === 'DSS') return 'insufficient';
  const aead = /GCM|CHACHA20/.test(c.name);
  const ccm8 = /CCM8|CCM_8/.test(c.name);
  const ccm = /CCM/.test(c.name) && !ccm8;
  const cbc = /^(ECDHE-(RSA|ECDSA)-|DHE-RSA-|)AES(128|256)-SHA(256|384)?$/.test(c.name) || /^(ECDHE-(RSA|ECDSA)-|DHE-RSA-|)AES(128|256)-SHA$/.test(c.name);
  const tdes = /DES-CBC3|3DES/.test(c.name);
  if (c.keyExchange === 'any') return aead ? 'good' : ccm ? 'sufficient' : 'phase-out';
  if (!/AES|CHACHA20|DES-CBC3|3DES/.test(c.name) || /ARIA|CAMELLIA|SEED|IDEA|RC4|DES-CBC-/.test(c.name)) return 'insufficient';
  if (c.keyExchange === 'RSA') return aead || cbc || ccm || tdes ? 'phase-out' : 'insufficient';
  if (tdes) return 'phase-out';
  if (c.keyExchange === 'ECDH') return aead ? 'good' : ccm || cbc ? 'sufficient' : ccm8 ? 'phase-out' : 'insufficient';
  if (c.keyExchange === 'DH') return aead || ccm || cbc ? 'sufficient' : ccm8 ? 'phase-out' : 'insufficient';
  return 'insufficient';
}

const GROUP_TIER: Record<string, ScanTier> = {
  X25519: 'good', X448: 'good', 'P-256': 'good', 'P-384': 'good',
  // secp521r1 is in neither list of v2.1; not graded down here (a stronger curve of the same family).
  'P-521': 'sufficient',
  ffdhe4096: 'sufficient', ffdhe3072: 'sufficient', ffdhe2048: 'phase-out', ffdhe6144: 'sufficient', ffdhe8192: 'sufficient',
  // Not in v2.1 (2021); each hybrid contains a curve that is good on its own (X25519, P-256, P-384).
  X25519MLKEM768: 'good', SecP256r1MLKEM768: 'good', SecP384r1MLKEM1024: 'good',
};

const severityOf = (tier: ScanTier) => (tier === 'insufficient' ? 'critical' : 'warning') as 'critical' | 'warning';

export function ncscFindings(r: ScanFacts): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const p of ['TLSv1', 'TLSv1.1'] as const) {
    if (accepted(r, p)) out.push({ severity: 'warning', code: `protocol-${p.toLowerCase().replace('.', '')}`, message: `${p} accepted (phase-out)`, setting: SET.protocols, tier: 'phase-out' });
  }
  if (!accepted(r, 'TLSv1.3') && accepted(r, 'TLSv1.2')) {
    out.push({ severity: 'info', code: 'no-tls13', message: 'TLSv1.3 not offered (TLSv1.2 is sufficient, TLSv1.3 is good)', setting: SET.tls13, tier: 'sufficient' });
  }
  const graded = acceptedCiphers(r).filter((c) => c.grade === 'high' || c.grade === 'medium').filter((c) => !c.anonymous);
  for (const tier of ['insufficient', 'phase-out'] as const) {
    const list = graded.filter((c) => ncscCipherTier(c) === tier);
    out.push(...cipherFindings(list, (protocol, names, cs) => ({
      severity: severityOf(tier), code: `cipher-${tier}`,
      message: `${protocol}: ${names.length} ${tier} cipher(s): ${names.join(', ')}`,
      setting: protocol === 'TLSv1.3' ? 'TLS 1.3 suites: OpenSSL TLS1.3 ciphersuites (Postfix >= 3.5 has no setting; tls_ssl_options cannot change them)' : SET.exclude(uniq(cs.flatMap(tokensFor))),
      tier,
    })));
  }
  const mixed = r.protocols.filter((p) => p.serverOrder === false && new Set(p.ciphers.map(ncscCipherTier)).size > 1);
  if (mixed.length) {
    out.push({ severity: 'warning', code: 'cipher-order-client', message: `the server does not enforce its cipher order (${mixed.map((p) => p.protocol).join(', ')}): a client can pick a weaker cipher than the best both support`, setting: SET.preempt, tier: 'phase-out' });
  }
  for (const g of r.groups.filter((x) => x.accepted)) {
    const tier = GROUP_TIER[g.name] ?? 'insufficient';
    if (tier === 'phase-out' || tier === 'insufficient') {
      const keep = r.groups.filter((x) => x.accepted && (GROUP_TIER[x.name] === 'good' || GROUP_TIER[x.name] === 'sufficient')).map((x) => x.name);
      const ec = keep.filter((n) => !n.startsWith('ffdhe')).map(opensslCurve);
      const ff = keep.filter((n) => n.startsWith('ffdhe'));
      out.push({ severity: severityOf(tier), code: `group-${tier}`, message: `key exchange group ${g.name} accepted (${tier})`, setting: g.name.startsWith('ffdhe') ? SET.ffdheGroups(ff.join(' ') || 'ffdhe3072 ffdhe4096') : SET.curves(ec.join(' ') || 'X25519 prime256v1 secp384r1'), tier });
    }
  }
  // One finding per tier, naming the suites of each size (OpenSSL's automatic parameters differ per suite).
  const sizes = dhSizes(r.protocols);
  for (const tier of ['insufficient', 'phase-out'] as const) {
    const these = sizes.filter((s) => (tier === 'insufficient' ? s.bits < 2048 : s.bits >= 2048 && s.bits < 3072));
    if (these.length) out.push({ severity: severityOf(tier), code: `dh-params-${tier}`, message: `DHE parameters of ${describeDhSizes(these)} (${tier}; NCSC: >= 3072)`, setting: SET.dhParams, tier });
  }
  for (const c of r.certificates) {
    const k = c.leaf?.key;
    if (!k || k.bits === null) continue;
    if ((k.type === 'rsa' && k.bits < 2048) || (k.type === 'ec' && k.bits < 256)) {
      out.push({ severity: 'critical', code: 'certificate-key-weak', message: `${c.requested.toUpperCase()} certificate key of ${k.bits} bits (insufficient)`, setting: SET.rsaKey, tier: 'insufficient' });
    }
  }
  return out;
}

function tokensFor(c: ScanCipher): string[] {
  const t = exclusionTokens(c);
  // ECDHE/DHE with AES-CBC is sufficient: only the parts that made this one fail.
  return t.length ? t : [c.name];
}

export function opensslCurve(name: string): string {
  return ({ 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as Record<string, string>)[name] ?? name;
}
