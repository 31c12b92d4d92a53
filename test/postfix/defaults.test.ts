// The defaults table used without postconf, pinned against `postconf -d` of the Postfix
// installed here (3.7 on this machine): every parameter the table knows must have the value
// the real postconf reports for its own version.
import { expect, it } from 'vitest';
import { defaultsFor } from '../../src/postfix/defaults.js';
import { findPostconf, runPostconf } from '../../src/postfix/postconf.js';
import { describePostfix } from './guard.js';

describePostfix('defaults table vs postconf -d', () => {
  it('matches postconf -d of the installed Postfix for every parameter it lists', async () => {
    const bin = findPostconf()!;
    const version = (await runPostconf(bin, undefined, ['-d', 'mail_version'])).entries[0][1];
    const table = defaultsFor(version);
    const { entries } = await runPostconf(bin, undefined, ['-d', ...Object.keys(table)]);
    const actual = Object.fromEntries(entries);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(table).sort());
    expect(table).toEqual(actual);
  });
});
