// The postfix renderer on a real (offline, postconf-less) report: verdict line first, a table
// per listener within 100 columns, findings with their cause, colour only when asked, and JSON
// that is the report itself.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { checkPostfix } from '../../src/index.js';
import type { PostfixReport } from '../../src/postfix/types.js';
import { stripAnsi } from '../../src/report/color.js';
import { postfixJson, postfixVerdictLine, renderPostfix } from '../../src/report/postfix.js';

let root: string;
let pki: Pki;
let report: PostfixReport;
beforeAll(async () => {
  pki = await createPki();
  root = mkdtempSync(join(tmpdir(), 'mxprobe-pfrender-'));
  const dir = join(root, 'etc');
  mkdirSync(dir);
  const chain = join(root, 'leaf-only.pem');
  writeFileSync(chain, pki.leaves.good.keyPem + pki.leaves.good.certPem);
  writeFileSync(join(dir, 'main.cf'), `myhostname = mx.test.example\nsmtpd_tls_security_level = may\nsmtpd_tls_chain_files = ${chain}\nsmtpd_use_tls = yes\n`);
  writeFileSync(join(dir, 'master.cf'), 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt\n');
  report = await checkPostfix({ configDir: dir, offline: true, postconf: false, caFile: pki.root.path });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});

it('starts with the verdict line and shows each listener with its findings and causes', () => {
  const text = renderPostfix(report, { color: false });
  const lines = text.split('\n');
  expect(lines[0]).toBe(postfixVerdictLine(report));
  expect(lines[0]).toMatch(/^CRITICAL Postfix 3\.7 .*: 2 listeners \(offline\) — 2 critical, 1 warning$/);
  expect(text).toContain('smtp  127.0.0.1:25  STARTTLS  level may — CRITICAL');
  expect(text).toContain('postfix/submission  127.0.0.1:587  STARTTLS  level encrypt — CRITICAL');
  expect(text).toMatch(/CRITICAL RSA certificate "mx\.test\.example" .* chain incomplete/);
  expect(text).toMatch(/→ append the missing intermediate/);
  expect(text).toMatch(/WARNING  support for parameter "smtpd_use_tls" will be removed/);
  // The no-postconf note is said once, at the top.
  expect(text.match(/defaults are those of Postfix 3\.7/g)).toHaveLength(1);
  const tableLines = lines.filter((l) => /^[┌│├└]/.test(l));
  expect(tableLines.length).toBeGreaterThan(10);
  for (const line of tableLines) expect(line.length, line).toBe(100);
  expect(text).not.toMatch(/\u001b\[/);
});

it('colours only when asked', () => {
  const coloured = renderPostfix(report, { color: true });
  expect(coloured).toMatch(/\u001b\[31mCRITICAL\u001b\[39m/);
  expect(stripAnsi(coloured)).toBe(renderPostfix(report, { color: false }));
});

it('JSON is the report object', () => {
  expect(JSON.parse(postfixJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  expect(JSON.parse(postfixJson(report))).toMatchObject({ kind: 'postfix', source: 'files', offline: true, status: 'critical' });
});
