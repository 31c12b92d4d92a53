// `mxprobe fingerprint --cert FILE`: the digests Postfix compares (smtpd_tls_fingerprint_digest)
// and the table lines that use them.
import { UsageError } from '../errors.js';
import { optionDefault, readTextFile } from '../cli-options.js';
import { fingerprintReport, type FingerprintDigest } from '../fingerprint.js';
import { fingerprintJson, renderFingerprint, type FingerprintTable } from '../report/fingerprint.js';

type Values = Record<string, unknown>;

export async function runFingerprintCommand(_args: string[], v: Values): Promise<number> {
  const cert = v.cert as string | undefined;
  if (cert === undefined) throw new UsageError('--cert FILE is required (a PEM certificate, with or without its chain)');
  const report = fingerprintReport(readTextFile('--cert')(cert), (v.digest as FingerprintDigest | undefined) ?? optionDefault<FingerprintDigest>('digest', 'fingerprint'));
  process.stdout.write(v.json === true ? fingerprintJson(report) : renderFingerprint(report, { table: v.table as FingerprintTable | undefined }));
  return 0;
}
