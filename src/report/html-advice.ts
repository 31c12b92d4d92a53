// The Postfix setting to change for a finding or error of a probed server, as the HTML report
// shows it beside the finding. Server side (smtpd_*) because the report's reader is usually the
// admin of the servers in it; wording after the Postfix TLS README (postfix-tls-howto.md,
// "Server-side TLS") and postconf(5).

const CERT = 'smtpd_tls_chain_files = /etc/postfix/key.pem, /etc/postfix/fullchain.pem (or smtpd_tls_cert_file / smtpd_tls_key_file), then postfix reload';

const ADVICE: Record<string, string> = {
  'cert-expired': `renew the certificate and install it: ${CERT}`,
  'certificate-expired': `renew the certificate and install it: ${CERT}`,
  'cert-expires-soon': `renew before it expires (check the ACME client's renewal hook reloads Postfix): ${CERT}`,
  'cert-not-yet-valid': `the certificate is not valid yet: check the host clock, or install the current one: ${CERT}`,
  'certificate-not-yet-valid': `the certificate is not valid yet: check the host clock, or install the current one: ${CERT}`,
  'missing-intermediate': 'send the intermediate certificates too: smtpd_tls_chain_files = key.pem, fullchain.pem (leaf first, then its issuers)',
  'self-signed': `install a certificate from a CA senders trust (or publish DANE TLSA records for it): ${CERT}`,
  'cert-untrusted': `install a certificate from a CA senders trust, with its intermediates: ${CERT}`,
  'certificate-not-trusted': `install a certificate from a CA senders trust, with its intermediates: ${CERT}`,
  'hostname-mismatch': `the certificate must name the MX host (subjectAltName DNS): reissue it for that name; ${CERT}`,
  'name-mismatch': `the certificate must name the MX host (subjectAltName DNS): reissue it for that name; ${CERT}`,
  'certificate-host-mismatch': `the certificate must name the MX host (subjectAltName DNS): reissue it for that name; ${CERT}`,
  'no-tls': 'offer STARTTLS: smtpd_tls_security_level = may, with smtpd_tls_chain_files set',
  'starttls-not-offered': 'offer STARTTLS: smtpd_tls_security_level = may, with smtpd_tls_chain_files set',
  'starttls-refused': 'STARTTLS is advertised but refused: check smtpd_tls_chain_files is readable (maillog shows the cause)',
  'tls-handshake': 'the handshake fails: check smtpd_tls_chain_files, smtpd_tls_protocols and smtpd_tls_ciphers (maillog shows the TLS error)',
  'auth-before-tls': 'offer AUTH only inside TLS: smtpd_tls_auth_only = yes',
  'old-tls': 'refuse TLS 1.0/1.1: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2',
  'obsolete-protocol-negotiated': 'refuse TLS 1.0/1.1: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2',
  'starttls-after-tls': 'a server must not offer STARTTLS again inside TLS (RFC 3207 §4.2): check proxies in front of smtpd',
  'starttls-injection': 'upgrade Postfix (CVE-2011-0411 was fixed in 2.8.4) or the proxy in front of it: no bytes may be buffered across STARTTLS',
  'implicit-tls-suspected': 'this port speaks implicit TLS: probe it as smtps://, or in master.cf give the service -o smtpd_tls_wrappermode=no',
  'plaintext-on-implicit-port': 'the port speaks plaintext: in master.cf give the smtps service -o smtpd_tls_wrappermode=yes',
  'dane-mismatch': 'no TLSA record matches the served chain: publish records for the current certificate (mxprobe tlsa --cert) before switching',
  'tlsa-record-unusable': 'publish TLSA records Postfix can use: usage 2 or 3, selector 0 or 1, matching type 1 or 2 (RFC 7672 §3.1)',
  'rollover-tlsa-missing': 'publish the TLSA record of the next certificate (mxprobe tlsa --cert next.pem) a few TTLs before the switch',
  'mta-sts-enforce-failure': "senders enforcing the MTA-STS policy refuse this MX: fix its certificate, or list it in the policy's mx: lines",
  'mta-sts-testing-failure': 'this MX would fail under mode: enforce: fix its certificate or the policy mx: lines before enforcing',
  'weak-cipher-grade': 'smtpd_tls_mandatory_ciphers = high, smtpd_tls_ciphers = medium (exclude export, low and null grades)',
};

/** The Postfix setting to change for a finding code, error code or verification reason, or null. */
export function postfixAdvice(code: string): string | null {
  return ADVICE[code] ?? null;
}
