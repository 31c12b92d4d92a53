// `mxprobe tlsa --cert FILE`: the TLSA records to publish for a certificate or key.
import { UsageError } from '../errors.js';
import { readTextFile } from '../cli-options.js';
import { tlsaOwner, tlsaRecords } from '../dane/tlsa-records.js';
import { renderTlsa } from '../report/tlsa.js';

type Values = Record<string, unknown>;

export async function runTlsaCommand(_args: string[], v: Values): Promise<number> {
  const cert = v.cert as string | undefined;
  if (cert === undefined) throw new UsageError('--cert FILE is required (a PEM certificate and its chain, or a key)');
  const text = readTextFile('--cert')(cert);
  const lines = tlsaRecords(text, cert, { usage: v.usage as number | undefined, selector: v.selector as number | undefined, matching: v.matching as number | undefined });
  process.stdout.write(renderTlsa(lines, { name: tlsaOwner(v.name as string | undefined, v.tlsaPort as number | undefined), json: v.json === true }));
  return 0;
}
