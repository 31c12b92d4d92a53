import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { enabledProtocols, parsePostfixProtocols, parseProtocols } from '../../src/policy/protocols.js';

describe('parseProtocols: Postfix grammar → Node min/max (OpenSSL lowest contiguous run)', () => {
  test.each([
    // list                          min        max        seclevel0
    ['',                             'TLSv1',   'TLSv1.3', true],
    ['>=TLSv1',                      'TLSv1',   'TLSv1.3', true],
    ['>=TLSv1.2',                    'TLSv1.2', 'TLSv1.3', false],
    ['>=tlsv1.2',                    'TLSv1.2', 'TLSv1.3', false],
    ['<=TLSv1.2',                    'TLSv1',   'TLSv1.2', true],
    ['>=TLSv1.2, <=TLSv1.3',         'TLSv1.2', 'TLSv1.3', false],
    ['>=TLSv1.2:<=TLSv1.2',          'TLSv1.2', 'TLSv1.2', false],
    ['>=0x0303',                     'TLSv1.2', 'TLSv1.3', false],
    ['>=303',                        'TLSv1.2', 'TLSv1.3', false],
    ['>=TLSv1.2 <=0305',             'TLSv1.2', 'TLSv1.3', false],
    ['>=None',                       'TLSv1',   'TLSv1.3', true],
    ['>=',                           'TLSv1',   'TLSv1.3', true],
    ['>=TLSv1.1 >=TLSv1.3',          'TLSv1.3', 'TLSv1.3', false],
    ['!SSLv2, !SSLv3',               'TLSv1',   'TLSv1.3', true],
    ['!SSLv2:!SSLv3:!TLSv1:!TLSv1.1','TLSv1.2', 'TLSv1.3', false],
    ['!SSLv2 !SSLv3 !TLSv1',         'TLSv1.1', 'TLSv1.3', true],
    ['!SSLv2',                       'TLSv1',   'TLSv1.3', true],
    ['!TLSv1.3',                     'TLSv1',   'TLSv1.2', true],
    ['TLSv1.2 TLSv1.3',              'TLSv1.2', 'TLSv1.3', false],
    ['TLSv1:TLSv1.1',                'TLSv1',   'TLSv1.1', true],
    ['TLSv1',                        'TLSv1',   'TLSv1',   true],
    ['TLSv1.3',                      'TLSv1.3', 'TLSv1.3', false],
    ['!SSLv2, !SSLv3, !TLSv1.1',     'TLSv1',   'TLSv1',   true],   // postconf(5): only TLSv1 left
    ['!TLSv1.2',                     'TLSv1',   'TLSv1.1', true],   // hole: 1.3 unreachable
    ['TLSv1.1 TLSv1.3',              'TLSv1.1', 'TLSv1.1', true],
    ['>=TLSv1.2 !TLSv1.2',           'TLSv1.3', 'TLSv1.3', false],
  ] as const)('%j → %s..%s', (list, min, max, sec0) => {
    const r = parseProtocols(list);
    expect([r.minVersion, r.maxVersion, r.needsSeclevel0]).toEqual([min, max, sec0]);
  });

  test.each([
    ['!TLSv1.2', /TLSv1.3 is unreachable/],
    ['>=TLSv1.2 <=0305', /above TLSv1.3/],
    ['!SSLv2', /no SSLv3/],
    ['>=TLSv1.2', null],
  ] as const)('notes for %j', (list, note) => {
    const notes = parseProtocols(list).notes.join('\n');
    if (note) expect(notes).toMatch(note);
    else expect(notes).toBe('');
  });

  test.each([
    ['TLSv1.4',               /unknown protocol "TLSv1.4"/],
    ['!TLSv9',                /unknown protocol "!TLSv9"/],
    ['!',                     /unknown protocol "!"/],
    ['>=SSLv2',               /unknown protocol version "SSLv2"/],
    ['>=TLS1.2',              /unknown protocol version "TLS1.2"/],
    ['<=0x',                  /unknown protocol version "0x"/],
    ['SSLv3',                 /SSLv3 is not supported by this OpenSSL build/],
    ['SSLv3, TLSv1',          /SSLv3 is not supported by this OpenSSL build/],
    ['SSLv2 SSLv3',           /SSLv2 and SSLv3 are not supported/],
    ['>=SSLv3',               />=SSLv3 is not supported by this OpenSSL build/],
    ['>=0305',                /0x0305 is not known to this OpenSSL/],
    ['>=TLSv1.3 <=TLSv1.2',   /no TLS protocol version is left/],
    ['!TLSv1:!TLSv1.1:!TLSv1.2:!TLSv1.3', /no TLS protocol version is left/],
  ] as const)('%j → UsageError %s', (list, msg) => {
    expect(() => parseProtocols(list)).toThrow(UsageError);
    expect(() => parseProtocols(list)).toThrow(msg);
  });
});

describe('parsePostfixProtocols: the mask Postfix builds (tls_proto_mask_lims)', () => {
  test.each([
    ['!SSLv2, !SSLv3',      ['SSLv2', 'SSLv3'],                           null,   null],
    ['TLSv1.2 TLSv1.3',     ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'],       null,   null],
    ['SSLv3, TLSv1',        ['SSLv2', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],   null,   null],
    ['>=TLSv1 <=TLSv1.2',   [],                                           0x0301, 0x0303],
    ['>=0x0304',            [],                                           0x0304, null],
  ] as const)('%j', (list, excluded, floor, ceiling) => {
    expect(parsePostfixProtocols(list)).toMatchObject({ excluded, floor, ceiling });
  });

  test.each([
    ['',                 ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']],
    ['TLSv1',            ['TLSv1']],
    ['SSLv3:TLSv1',      ['SSLv3', 'TLSv1']],
    ['>=TLSv1.2',        ['TLSv1.2', 'TLSv1.3']],
    ['!SSLv2',           ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']],
  ] as const)('enabledProtocols(%j)', (list, on) => {
    expect(enabledProtocols(parsePostfixProtocols(list))).toEqual(on);
  });
});
