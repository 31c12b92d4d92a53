// The lints and the bad-input paths of checkPostfix, on configuration directories written here
// and read with the installed postconf (no Postfix runs; nothing is probed: offline).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { UsageError } from '../../src/errors.js';
import { checkPostfix } from '../../src/index.js';
import type { PostfixReport } from '../../src/postfix/types.js';
import { describePostfix } from './guard.js';

const MASTER_25_ENCRYPT = `smtp inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
submission inet n - n - - smtpd
  -o smtpd_use_tls=yes
pickup unix n - n 60 1 pickup
`;

describePostfix('lints and bad input (postconf on a written configuration)', () => {
  let root: string;
  let pki: Pki;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mxprobe-pflint-'));
    pki = await createPki();
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  let n = 0;
  function configDir(mainCf: string, masterCf = MASTER_25_ENCRYPT): string {
    const dir = join(root, `etc${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.cf'), mainCf);
    writeFileSync(join(dir, 'master.cf'), masterCf);
    // Postfix waits until a config file is a second old (it may be mid-edit): backdate.
    for (const f of ['main.cf', 'master.cf']) utimesSync(join(dir, f), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    return dir;
  }
  const chain = () => {
    const f = join(root, `chain${n++}.pem`);
    writeFileSync(f, pki.leaves.good.keyPem + pki.leaves.good.chainPem);
    return f;
  };
  const find = (r: PostfixReport, code: string, parameter?: string) => r.findings.find((f) => f.code === code && (parameter === undefined || f.parameter === parameter));
  const oneLine = async (p: Promise<unknown>): Promise<UsageError> => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('\n');
    return err as UsageError;
  };

  describe('a main.cf with obsolete and weak settings', () => {
    let dir: string;
    let r: PostfixReport;
    beforeAll(async () => {
      const policy = join(root, 'tls_policy');
      writeFileSync(policy, '[mx.example.com]:25 verify\n');
      dir = configDir(`myhostname = mx.test.example
compatibility_level = 3.6
smtpd_tls_chain_files = ${chain()}
smtpd_use_tls = yes
smtpd_enforce_tls = no
smtp_use_tls = yes
smtp_enforce_tls = yes
smtp_tls_per_site = hash:/etc/postfix/tls_per_site
smtpd_tls_dh512_param_file = /etc/postfix/dh512.pem
smtpd_tls_eecdh_grade = strong
smtpd_tls_loglevel = 2
smtpd_tls_protocols = !SSLv2
smtpd_tls_ciphers = export
smtpd_tls_cert_fle = /typo.pem
smtp_tls_security_level = verify
smtp_tls_policy_maps = hash:${policy}
`);
      r = await checkPostfix({ configDir: dir, offline: true, caFile: join(pki.dir, 'root.crt') });
    });

    it('names each obsolete parameter in Postfix\'s words, with its replacement and the version', () => {
      expect(find(r, 'obsolete-parameter', 'smtpd_use_tls')).toMatchObject({
        severity: 'warning', configured: 'yes',
        message: 'support for parameter "smtpd_use_tls" will be removed; instead, specify "smtpd_tls_security_level"',
        cause: 'replace with smtpd_tls_security_level = may (available since Postfix 2.3); postconf warns as of Postfix 3.9',
      });
      expect(find(r, 'obsolete-parameter', 'smtp_enforce_tls')?.cause).toMatch(/^replace with smtp_tls_security_level = encrypt/);
      expect(find(r, 'obsolete-parameter', 'smtp_tls_per_site')?.message).toBe('support for parameter "smtp_tls_per_site" will be removed; instead, specify "smtp_tls_policy_maps"');
      expect(find(r, 'obsolete-parameter', 'smtpd_tls_dh512_param_file')?.cause).toMatch(/ignored since Postfix 3\.6/);
      expect(find(r, 'obsolete-parameter', 'smtpd_tls_eecdh_grade')?.cause).toMatch(/^remove it .*3\.9/);
      // The same parameter in a master.cf -o override is named with its service.
      expect(r.findings.find((f) => f.parameter === 'smtpd_use_tls' && f.message.startsWith('master.cf submission: '))).toBeTruthy();
    });

    it('quotes postconf\'s own warning (a misspelt parameter)', () => {
      expect(find(r, 'postconf-warning', 'smtpd_tls_cert_fle')?.message).toBe(`postconf: warning: ${dir}/main.cf: unused parameter: smtpd_tls_cert_fle=/typo.pem`);
    });

    it('flags SSLv3 left on, an export grade, verbose TLS logging and encrypt on port 25 (RFC 3207 §4)', () => {
      expect(find(r, 'ssl-protocols-enabled', 'smtpd_tls_protocols')?.message).toBe('smtpd_tls_protocols = !SSLv2 leaves SSLv3 enabled');
      expect(find(r, 'weak-cipher-grade', 'smtpd_tls_ciphers')?.configured).toBe('export');
      expect(find(r, 'tls-loglevel', 'smtpd_tls_loglevel')?.message).toMatch(/Do not use "smtpd_tls_loglevel = 2" or higher except in case of problems/);
      expect(find(r, 'encrypt-on-mx-port')).toMatchObject({ parameter: 'smtpd_tls_security_level', severity: 'warning' });
      expect(find(r, 'encrypt-on-mx-port')?.message).toMatch(/RFC 3207 §4/);
    });

    it('the client side: no trust anchors at verify, and the policy table to check with mxprobe policy', () => {
      expect(find(r, 'client-no-trust-anchors')?.message).toMatch(/neither smtp_tls_CAfile nor smtp_tls_CApath is set/);
      expect(find(r, 'policy-map')?.message).toBe(`smtp_tls_policy_maps uses hash:${join(root, 'tls_policy')}: check its entries against the servers with \`mxprobe policy ${join(root, 'tls_policy')}\``);
      expect(r.client.policyMaps).toEqual([{ map: `hash:${join(root, 'tls_policy')}`, sourceFile: join(root, 'tls_policy'), exists: true }]);
      expect(r.status).toBe('warning');
    });

    it('without postconf: the same lints from the files, with the defaults of the version given', async () => {
      const files = await checkPostfix({ configDir: dir, offline: true, postconf: false, postfixVersion: '3.5' });
      expect(files.source).toBe('files');
      expect(files.postfixVersion).toBe('3.5');
      expect(files.findings[0]).toMatchObject({ severity: 'info', code: 'no-postconf' });
      expect(files.findings[0].message).toMatch(/read directly; defaults are those of Postfix 3\.5/);
      expect(find(files, 'obsolete-parameter', 'smtpd_use_tls')).toBeTruthy();
      // Port 25 requires TLS (-o encrypt): its protocols are 3.5's mandatory default, the exclusion syntax.
      const smtp = files.listeners.find((l) => l.service === 'smtp');
      expect(smtp?.settings.protocols).toEqual({ parameter: 'smtpd_tls_mandatory_protocols', value: '!SSLv2, !SSLv3' });
      expect(files.listeners.find((l) => l.service === 'submission')?.settings.level).toBe('may');
    });
  });

  it('-o values that name other parameters, and defaults that name an overridden one: postconf and the files agree', async () => {
    const dir = configDir(`myhostname = mx.test.example
mua_tls_level = encrypt
tls_dir = \${config_directory}/tls
smtpd_tls_security_level = may
smtpd_tls_chain_files = $tls_dir/rsa.pem
`, `smtp inet n - n - - smtpd
submission inet n - n - - smtpd
  -o smtpd_tls_security_level=$mua_tls_level
  -o smtpd_tls_chain_files=
  -o smtpd_tls_cert_file=\${tls_dir}/sub.pem
`);
    const viaPostconf = await checkPostfix({ configDir: dir, offline: true });
    const viaFiles = await checkPostfix({ configDir: dir, offline: true, postconf: false });
    const sub = viaPostconf.listeners[1].settings;
    expect(sub.level).toBe('encrypt');
    expect(sub.levelFrom).toBe('smtpd_tls_security_level = encrypt');
    // smtpd_tls_key_file defaults to $smtpd_tls_cert_file: the overridden value.
    expect(sub.certificates).toEqual({ parameter: 'smtpd_tls_cert_file', files: [`${dir}/tls/sub.pem`] });
    expect(sub.parameters.smtpd_tls_key_file).toBe(`${dir}/tls/sub.pem`);
    expect(viaPostconf.listeners[0].settings.certificates.files).toEqual([`${dir}/tls/rsa.pem`]);
    expect(viaPostconf.findings.filter((f) => f.code === 'postconf-warning')).toEqual([]);
    expect(viaFiles.listeners.map((l) => l.settings)).toEqual(viaPostconf.listeners.map((l) => l.settings));
  });

  describe('bad input: one line, never a stack trace', () => {
    it('a configuration directory that does not exist', async () => {
      const e = await oneLine(checkPostfix({ configDir: join(root, 'nope') }));
      expect(e.message).toBe(`Postfix configuration directory ${join(root, 'nope')} does not exist`);
    });

    it('an unreadable main.cf (a directory), with postconf and without', async () => {
      const dir = join(root, `etc${n++}`);
      mkdirSync(join(dir, 'main.cf'), { recursive: true });
      writeFileSync(join(dir, 'master.cf'), MASTER_25_ENCRYPT);
      expect((await oneLine(checkPostfix({ configDir: dir, offline: true }))).message).toMatch(/^postconf: .*main\.cf/);
      expect((await oneLine(checkPostfix({ configDir: dir, offline: true, postconf: false }))).message).toBe(`cannot read ${dir}/main.cf: is a directory`);
    });

    it('a main.cf line postconf cannot parse', async () => {
      const dir = configDir('myhostname = mx.test.example\nthis line has no equals sign\n');
      expect((await oneLine(checkPostfix({ configDir: dir, offline: true }))).message).toMatch(/^postconf: .*line 2: missing '='/);
    });

    it('postconf missing: an explicit path is a usage error, none at all reads the files', async () => {
      const dir = configDir(`myhostname = mx.test.example\nsmtpd_tls_security_level = may\nsmtpd_tls_chain_files = ${chain()}\n`);
      expect((await oneLine(checkPostfix({ configDir: dir, offline: true, postconf: join(root, 'no-postconf') }))).message).toBe(`postconf not usable at ${join(root, 'no-postconf')}: no such file`);
      const r = await checkPostfix({ configDir: dir, offline: true, postconf: false });
      expect(r.listeners.map((l) => [l.service, l.port, l.settings.level])).toEqual([['smtp', 25, 'encrypt'], ['submission', 587, 'may']]);
    });

    it('a master.cf with no smtpd service: a finding, not an error', async () => {
      const dir = configDir('myhostname = mx.test.example\n', 'pickup unix n - n 60 1 pickup\nqmgr unix n - n 300 1 qmgr\n');
      const r = await checkPostfix({ configDir: dir });
      expect(r.listeners).toEqual([]);
      expect(find(r, 'no-smtpd-listener')).toMatchObject({ severity: 'warning' });
      expect(r.status).toBe('warning');
    });

    it('a bad postfixVersion, a missing CA file', async () => {
      const dir = configDir('myhostname = mx.test.example\n');
      expect((await oneLine(checkPostfix({ configDir: dir, postconf: false, postfixVersion: 'latest' }))).message).toMatch(/invalid Postfix version "latest"/);
      expect((await oneLine(checkPostfix({ configDir: dir, caFile: join(root, 'no-ca.pem') }))).message).toBe(`cannot read CA file ${join(root, 'no-ca.pem')}: no such file`);
    });
  });
});
