// --show-certs: the chain as served, in PEM, each certificate preceded by "# n subject" so the
// output can be split, read, or fed to `openssl x509` as it is.
import type { ProbeResult } from '../types.js';
import { hostLabel, oneLineName } from './text.js';

/** "# 0 CN=mx1.example.com" + PEM for each certificate, one header line for the probe. */
export function renderPem(r: ProbeResult): string {
  let out = `# ${hostLabel(r)}: ${r.certificates.length} certificate${r.certificates.length === 1 ? '' : 's'} as served\n`;
  r.certificates.forEach((cert, i) => {
    out += `# ${i} ${oneLineName(cert.subject)}\n`;
    if (cert.pem === undefined) out += '# (no PEM recorded: probe with showCerts)\n';
    else out += cert.pem.endsWith('\n') ? cert.pem : `${cert.pem}\n`;
  });
  return out;
}
