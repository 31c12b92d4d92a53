// main.cf/master.cf read without postconf, $name expansion, the defaults table, and the smtpd
// settings derivation: table cases, one line each.
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { expand, logicalLines, parseMainCf, parseMasterCf } from '../../src/postfix/config-files.js';
import { defaultsFor, parseVersion } from '../../src/postfix/defaults.js';
import { expectedProtocols } from '../../src/postfix/expected.js';
import { knownTcpPorts, splitServiceName } from '../../src/postfix/listeners.js';
import { parseEntries, groupByService } from '../../src/postfix/postconf.js';
import { smtpdTlsSettings } from '../../src/postfix/settings.js';

describe('main.cf syntax (postconf(5))', () => {
  test('continuation lines, comments, whitespace around =', () => {
    const text = '# c\nmyhostname=mx.example\nsmtpd_tls_chain_files =\n    /a.pem,\n  # inner comment\n    /b.pem\n\nempty =\n';
    expect(parseMainCf(text)).toEqual({ myhostname: 'mx.example', smtpd_tls_chain_files: '/a.pem, /b.pem', empty: '' });
    expect(logicalLines(text).map((l) => l.line)).toEqual([2, 3, 8]);
  });
  test('a line without = is a one-line UsageError naming file and line', () => {
    expect(() => parseMainCf('a = 1\nnonsense\n', '/etc/postfix/main.cf')).toThrow(UsageError);
    expect(() => parseMainCf('a = 1\nnonsense\n', '/etc/postfix/main.cf')).toThrow(/^\/etc\/postfix\/main\.cf, line 2: missing '=' after attribute name/);
  });
});

describe('master.cf syntax (master(5))', () => {
  const text = `smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o { smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.3 }
  -osmtpd_tls_auth_only=yes
127.0.0.1:2525 inet n - n - 1 smtpd
pickup    unix  n       -       y       60      1       pickup`;
  test('fields, -o overrides (braced, joined), continuation', () => {
    const s = parseMasterCf(text);
    expect(s.map((x) => [x.service, x.type, x.command, x.processLimit])).toEqual([
      ['smtp', 'inet', 'smtpd', '-'], ['submission', 'inet', 'smtpd', '-'], ['127.0.0.1:2525', 'inet', 'smtpd', '1'], ['pickup', 'unix', 'pickup', '1'],
    ]);
    expect(s[1].overrides).toEqual({
      syslog_name: 'postfix/submission', smtpd_tls_security_level: 'encrypt', smtpd_tls_protocols: '>=TLSv1.2, <=TLSv1.3', smtpd_tls_auth_only: 'yes',
    });
  });
  test('an entry with fewer than 8 fields is a UsageError', () => {
    expect(() => parseMasterCf('smtp inet n - y smtpd')).toThrow(/master\.cf, line 1: expected 8 fields/);
  });
});

describe('$name expansion (mac_expand)', () => {
  const vars: Record<string, string> = { a: 'A', b: '$a-b', empty: '', dir: '/etc/postfix', loop: '$loop' };
  const lookup = (n: string) => vars[n];
  test.each([
    ['$a', 'A'],
    ['${a}', 'A'],
    ['$(a)', 'A'],
    ['$b', 'A-b'],
    ['${dir}/certs/rsa.pem', '/etc/postfix/certs/rsa.pem'],
    ['${a?set}', 'set'],
    ['${empty?set}', ''],
    ['${empty:unset}', 'unset'],
    ['${a:unset}', ''],
    ['${a?{yes}:{no}}', 'yes'],
    ['${empty?{yes}:{no}}', 'no'],
    ['$undefined.x', '.x'],
    ['cost $$5', 'cost $5'],
    ['no dollar', 'no dollar'],
  ])('%s → %s', (input, out) => expect(expand(input, lookup)).toBe(out));
  test('runaway recursion is a UsageError, not a stack overflow', () => {
    expect(() => expand('$loop', lookup)).toThrow(/unreasonable macro call nesting/);
  });
});

describe('defaults per Postfix version (mail_params.h at the release tags)', () => {
  test.each([
    // version  smtpd_tls_protocols  smtpd_tls_ciphers  smtpd_tls_eecdh_grade  tls_low_cipherlist empty
    ['2.11',    '',                  'export',          'strong',              false],
    ['3.0.4',   '',                  'export',          'strong',              false],
    ['3.1',     '!SSLv2, !SSLv3',    'medium',          'strong',              false],
    ['3.4.13',  '!SSLv2, !SSLv3',    'medium',          'auto',                false],
    ['3.6',     '>=TLSv1',           'medium',          'auto',                false],
    ['3.7.11',  '>=TLSv1',           'medium',          'auto',                false],
    ['3.8',     '>=TLSv1',           'medium',          'auto',                true],
    ['3.10.1',  '>=TLSv1',           'medium',          'auto',                true],
  ])('Postfix %s', (v, proto, grade, eecdh, lowEmpty) => {
    const d = defaultsFor(v);
    expect([d.smtpd_tls_protocols, d.smtpd_tls_ciphers, d.smtpd_tls_eecdh_grade, d.tls_low_cipherlist === '']).toEqual([proto, grade, eecdh, lowEmpty]);
  });
  test('3.11: smtp_tls_security_level = may only at compatibility_level >= 3.11 (RELEASE_NOTES-3.11)', () => {
    expect(defaultsFor('3.11', '3.6').smtp_tls_security_level).toBe('');
    expect(defaultsFor('3.11', '3.11').smtp_tls_security_level).toBe('may');
    expect(defaultsFor('3.10', '3.11').smtp_tls_security_level).toBe('');
  });
  test.each(['three', '3', '2.10', '1.1'])('version %s is a UsageError', (v) => expect(() => parseVersion(v)).toThrow(UsageError));
});

describe('master.cf service names and ports', () => {
  test.each([
    ['smtp', null, 'smtp'],
    ['127.0.0.1:2525', '127.0.0.1', '2525'],
    ['[::1]:smtps', '::1', 'smtps'],
    ['mail.example.com:submission', 'mail.example.com', 'submission'],
  ])('%s', (service, host, port) => expect(splitServiceName(service)).toEqual({ host, port }));
  test('known_tcp_ports (Postfix 3.6 default)', () => {
    const m = knownTcpPorts('lmtp=24, smtp=25, smtps=submissions=465, submission=587');
    expect(Object.fromEntries(m)).toEqual({ lmtp: 24, smtp: 25, smtps: 465, submissions: 465, submission: 587 });
  });
});

describe('postconf output', () => {
  test('name = value lines, empty values, -F/-P service keys', () => {
    const e = parseEntries('a = 1\nb =\nsubmission/inet/smtpd_tls_security_level = encrypt\n127.0.0.1:2525/inet/command = smtpd -o x=y\n');
    expect(e).toEqual([['a', '1'], ['b', ''], ['submission/inet/smtpd_tls_security_level', 'encrypt'], ['127.0.0.1:2525/inet/command', 'smtpd -o x=y']]);
    const g = groupByService(e);
    expect([...g.keys()]).toEqual(['submission/inet', '127.0.0.1:2525/inet']);
    expect(g.get('127.0.0.1:2525/inet')!.get('command')).toBe('smtpd -o x=y');
  });
});

describe('smtpd TLS settings (smtpd.c pre_jail_init)', () => {
  const base = { ...defaultsFor('3.7'), smtpd_tls_chain_files: '/k.pem' };
  const s = (o: Record<string, string>) => smtpdTlsSettings({ ...base, ...o });
  test.each([
    // overrides                                                        level      enforce authOnly protocol parameter               grade parameter
    [{},                                                                'none',    false,  false,   'smtpd_tls_protocols',           'smtpd_tls_ciphers'],
    [{ smtpd_tls_security_level: 'may' },                               'may',     false,  false,   'smtpd_tls_protocols',           'smtpd_tls_ciphers'],
    [{ smtpd_tls_security_level: 'encrypt' },                           'encrypt', true,   true,    'smtpd_tls_mandatory_protocols', 'smtpd_tls_mandatory_ciphers'],
    [{ smtpd_tls_security_level: 'none', smtpd_tls_wrappermode: 'yes' },'encrypt', true,   true,    'smtpd_tls_mandatory_protocols', 'smtpd_tls_mandatory_ciphers'],
    [{ smtpd_use_tls: 'yes' },                                          'may',     false,  false,   'smtpd_tls_protocols',           'smtpd_tls_ciphers'],
    [{ smtpd_enforce_tls: 'yes' },                                      'encrypt', true,   true,    'smtpd_tls_mandatory_protocols', 'smtpd_tls_mandatory_ciphers'],
    [{ smtpd_tls_security_level: 'may', smtpd_enforce_tls: 'yes' },     'may',     false,  false,   'smtpd_tls_protocols',           'smtpd_tls_ciphers'],
    [{ smtpd_tls_security_level: 'VERIFY' },                            'encrypt', true,   true,    'smtpd_tls_mandatory_protocols', 'smtpd_tls_mandatory_ciphers'],
  ])('%j', (o, level, enforce, authOnly, protoParam, gradeParam) => {
    const { settings } = s(o);
    expect([settings.level, settings.enforce, settings.authOnly, settings.protocols.parameter, settings.ciphers.parameter]).toEqual([level, enforce, authOnly, protoParam, gradeParam]);
  });
  test('Postfix warnings and fatals become findings in its words', () => {
    expect(s({ smtpd_tls_security_level: 'verify' }).findings.map((f) => f.message)).toEqual(['smtpd_tls_security_level: unsupported TLS level "verify", using "encrypt"']);
    expect(s({ smtpd_tls_security_level: 'dane' }).findings[0]).toMatchObject({ severity: 'critical', code: 'smtpd-level-invalid', message: 'Invalid TLS level "dane"' });
    expect(s({ smtpd_tls_security_level: 'may', smtpd_tls_req_ccert: 'yes' }).findings[0].message).toBe("Can't require client certs unless TLS is required");
    expect(s({ smtpd_tls_security_level: 'may', smtpd_tls_chain_files: '' }).findings[0]).toMatchObject({ code: 'no-server-cert', message: "No server certs available. TLS won't be enabled" });
    expect(s({ smtpd_tls_security_level: 'may', smtpd_tls_cert_file: '/c.pem' }).findings[0].code).toBe('legacy-cert-ignored');
  });
  test('ask_ccert adds the aNULL exclusion; mandatory exclusions only when TLS is required', () => {
    const may = s({ smtpd_tls_security_level: 'may', smtpd_tls_ask_ccert: 'yes', smtpd_tls_exclude_ciphers: 'RC4', smtpd_tls_mandatory_exclude_ciphers: '3DES' }).settings;
    expect(may.ciphers.exclude).toBe('RC4 aNULL');
    expect(may.ciphers.cipherlist).toBe('aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH:!RC4:!aNULL');
    const enc = s({ smtpd_tls_security_level: 'encrypt', smtpd_tls_mandatory_ciphers: 'high', smtpd_tls_exclude_ciphers: 'RC4', smtpd_tls_mandatory_exclude_ciphers: '3DES' }).settings;
    expect(enc.ciphers.cipherlist).toBe('aNULL:-aNULL:HIGH:@STRENGTH:!RC4:!3DES');
  });
  test('legacy files: cert, key default, eccert', () => {
    const { settings } = s({ smtpd_tls_chain_files: '', smtpd_tls_security_level: 'may', smtpd_tls_cert_file: '/rsa.pem', smtpd_tls_key_file: '/rsa.key', smtpd_tls_eccert_file: '/ec.pem', smtpd_tls_eckey_file: '' });
    expect(settings.certificates).toEqual({ parameter: 'smtpd_tls_cert_file', files: ['/rsa.pem', '/rsa.key', '/ec.pem'] });
  });
});

describe('protocols a listener should accept (OpenSSL 3, via src/policy/protocols.ts)', () => {
  const accepted = (list: string) => Object.entries(expectedProtocols(list).accepts).filter(([, a]) => a).map(([p]) => p).join(' ');
  test.each([
    ['>=TLSv1', 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3'],
    ['>=TLSv1.2', 'TLSv1.2 TLSv1.3'],
    ['!SSLv2, !SSLv3', 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3'],
    ['!SSLv2, !SSLv3, !TLSv1.1', 'TLSv1'],
    ['', 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3'],
    ['SSLv3', ''],
  ])('%s → %s', (list, out) => expect(accepted(list)).toBe(out));
  test('SSLv3 left enabled by Postfix, which OpenSSL 3 cannot speak', () => {
    expect(expectedProtocols('!SSLv2').enabled.SSLv3).toBe(true);
    expect(expectedProtocols('!SSLv2').accepts.SSLv3).toBe(false);
  });
});
