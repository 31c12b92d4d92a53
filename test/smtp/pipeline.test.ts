// The reply rules of src/smtp/pipeline.ts, one line per case.
import { describe, expect, it } from 'vitest';
import { checkGroup, codeInGrammar, matchReplies, replyMismatch, stepOf, type SmtpStep } from '../../src/smtp/pipeline.js';

describe('replyMismatch(step, code)', () => {
  it.each<[SmtpStep, number, boolean]>([
    ['greeting', 220, true], ['greeting', 554, true], ['greeting', 421, true], ['greeting', 250, false],
    ['EHLO', 250, true], ['EHLO', 502, true], ['EHLO', 220, false], ['EHLO', 354, false],
    ['STARTTLS', 220, true], ['STARTTLS', 454, true], ['STARTTLS', 250, false],
    ['MAIL', 250, true], ['MAIL', 530, true], ['MAIL', 451, true], ['MAIL', 354, false], ['MAIL', 251, false],
    ['RCPT', 250, true], ['RCPT', 251, true], ['RCPT', 554, true], ['RCPT', 450, true], ['RCPT', 252, false], ['RCPT', 221, false],
    ['DATA', 354, true], ['DATA', 554, true], ['DATA', 503, true], ['DATA', 250, false],
    ['message', 250, true], ['message', 552, true], ['message', 354, false],
    ['RSET', 250, true], ['RSET', 421, true], ['RSET', 530, true], ['RSET', 503, true], ['RSET', 221, false], ['RSET', 354, false],
    ['QUIT', 221, true], ['QUIT', 421, true], ['QUIT', 250, false], ['QUIT', 554, false],
    ['MAIL', 260, false], ['RCPT', 599, false], ['RCPT', 199, false], ['RCPT', 600, false],
  ])('%s gets %i: %s', (step, code, ok) => {
    expect(replyMismatch(step, code) === null).toBe(ok);
  });

  it('says why, with the rule\'s source', () => {
    expect(replyMismatch('QUIT', 250)).toMatch(/250 cannot answer QUIT \(RFC 5321 §4\.1\.1\.10/);
    expect(replyMismatch('MAIL', 260)).toMatch(/outside RFC 5321 §4\.2/);
  });
});

describe('codeInGrammar (RFC 5321 §4.2)', () => {
  it.each([[200, true], [559, true], [421, true], [199, false], [600, false], [260, false], [496, false], [250.5, false], [-250, false]])('%d → %s', (code, ok) => {
    expect(codeInGrammar(code)).toBe(ok);
  });
});

describe('stepOf', () => {
  it.each([['MAIL FROM:<a@b>', 'MAIL'], ['rcpt TO:<x>', 'RCPT'], ['DATA', 'DATA'], ['EHLO client', 'EHLO'], ['QUIT', 'QUIT']])('%s → %s', (line, step) => {
    expect(stepOf(line)).toBe(step);
  });
  it('a command without a rule is a bug of ours', () => {
    expect(() => stepOf('VRFY x')).toThrow(/no reply rule/);
  });
});

describe('checkGroup (RFC 2920 §3.1)', () => {
  it.each<[SmtpStep[], boolean]>([
    [['MAIL', 'RCPT', 'RCPT', 'DATA'], true],
    [['MAIL', 'RCPT', 'RSET', 'QUIT'], true],
    [['RSET', 'MAIL'], true],
    [['MAIL', 'DATA', 'RCPT'], false],
    [['QUIT', 'RSET'], false],
    [['EHLO', 'MAIL'], false],
    [['STARTTLS', 'EHLO'], false],
  ])('%j may be pipelined: %s', (steps, ok) => {
    if (ok) expect(() => checkGroup(steps)).not.toThrow();
    else expect(() => checkGroup(steps)).toThrow(/last command/);
  });
});

describe('matchReplies', () => {
  const group: SmtpStep[] = ['MAIL', 'RCPT', 'RSET', 'QUIT'];
  it.each<[string, number[], ReturnType<typeof matchReplies>]>([
    ['in step', [250, 250, 250, 221], { ok: true }],
    ['refusals in step', [550, 503, 250, 221], { ok: true }],
    ['TLS required (Postfix): everything but QUIT gets 530', [530, 530, 530, 221], { ok: true }],
    ['MAIL answered twice, then 550 (the shift shows at QUIT)', [250, 250, 550, 250, 221], { ok: false, kind: 'mismatch', index: 3, reason: expect.stringMatching(/250 cannot answer QUIT/) }],
    ['RCPT answered twice', [250, 250, 250, 250, 221], { ok: false, kind: 'mismatch', index: 3, reason: expect.stringMatching(/250 cannot answer QUIT/) }],
    ['QUIT answered twice', [250, 250, 250, 221, 221], { ok: false, kind: 'extra', index: 4, reason: expect.any(String) }],
    ['RCPT skipped', [250, 250, 221], { ok: false, kind: 'mismatch', index: 2, reason: expect.stringMatching(/221 cannot answer RSET/) }],
    ['QUIT unanswered', [250, 250, 250], { ok: false, kind: 'missing', index: 3, reason: 'no reply to QUIT' }],
    ['421 ends it: nothing more owed', [250, 421], { ok: true }],
    ['but nothing may follow a 421', [250, 421, 250], { ok: false, kind: 'extra', index: 2, reason: expect.any(String) }],
    ['out of grammar', [250, 299, 250, 221], { ok: false, kind: 'mismatch', index: 1, reason: expect.stringMatching(/grammar/) }],
  ])('%s', (_name, codes, expected) => {
    expect(matchReplies(group, codes)).toEqual(expected);
  });
});
