// The Postfix main.cf settings scan findings point at (postconf(5)); one place, so every profile
// says the same thing the same way. Server side (smtpd_*): the scan looks at a server.
export const SET = {
  protocols: 'smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2 (before Postfix 3.6: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1)',
  protocolsTls13Only: 'smtpd_tls_protocols = >=TLSv1.3 and smtpd_tls_mandatory_protocols = >=TLSv1.3',
  tls13: 'smtpd_tls_protocols / smtpd_tls_mandatory_protocols must not cap at <=TLSv1.2 (and Postfix must be linked with OpenSSL >= 1.1.1)',
  ciphersHigh: 'smtpd_tls_ciphers = high and smtpd_tls_mandatory_ciphers = high',
  exclude: (tokens: string[]) => `smtpd_tls_exclude_ciphers = ${tokens.join(', ')} (and smtpd_tls_mandatory_exclude_ciphers)`,
  highList: (list: string) => `smtpd_tls_ciphers = high, smtpd_tls_mandatory_ciphers = high, tls_high_cipherlist = ${list}`,
  preempt: 'tls_preempt_cipherlist = yes',
  dhParams: 'smtpd_tls_dh1024_param_file = a file with an RFC 7919 group (ffdhe3072 or ffdhe4096 PEM); or exclude DHE: smtpd_tls_exclude_ciphers = kDHE',
  curves: (list: string) => `tls_eecdh_auto_curves = ${list}`,
  ffdheGroups: (list: string) => `tls_ffdhe_auto_groups = ${list} (Postfix >= 3.8)`,
  compression: 'tls_ssl_options = NO_COMPRESSION (default since Postfix 2.11)',
  renegotiation: 'link Postfix with an OpenSSL that supports RFC 5746 (any since 0.9.8m); tls_ssl_options = NO_RENEGOTIATION',
  injection: 'upgrade Postfix (CVE-2011-0411 fixed in 2.8.0, 2.7.3, 2.6.9, 2.5.12, 2.4.16) or the STARTTLS proxy in front of it',
  heartbleed: 'upgrade the OpenSSL Postfix is linked with (1.0.1g or later; 1.0.1 is long out of support)',
  rsaKey: 'smtpd_tls_chain_files (or smtpd_tls_cert_file / smtpd_tls_key_file): an RSA key of >= 2048 bits',
  ecdsaCert: 'smtpd_tls_chain_files = ecdsa-key.pem, ecdsa-chain.pem, rsa-key.pem, rsa-chain.pem (or smtpd_tls_eccert_file / smtpd_tls_eckey_file)',
} as const;

/** OpenSSL cipher-string classes that remove exactly what made a cipher unacceptable. */
export function exclusionTokens(c: { name: string; keyExchange: string; authentication: string; grade: string; anonymous: boolean }): string[] {
  const t: string[] = [];
  if (c.anonymous) t.push('aNULL');
  if (c.grade === 'null') t.push('eNULL');
  if (c.grade === 'export') t.push('EXPORT');
  if (/CAMELLIA/.test(c.name)) t.push('CAMELLIA');
  if (/ARIA/.test(c.name)) t.push('ARIA');
  if (/SEED/.test(c.name)) t.push('SEED');
  if (/IDEA/.test(c.name)) t.push('IDEA');
  if (/RC4/.test(c.name)) t.push('RC4');
  if (/DES-CBC3|3DES/.test(c.name)) t.push('3DES');
  else if (/DES-CBC-|^DES/.test(c.name)) t.push('DES');
  if (/CCM8/.test(c.name)) t.push('AESCCM8');
  if (c.authentication === 'DSS') t.push('aDSS');
  if (c.keyExchange === 'RSA') t.push('kRSA');
  if (/MD5/.test(c.name)) t.push('MD5');
  return t;
}
