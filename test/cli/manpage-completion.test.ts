// The man page and the shell completions come from the option table: man(1) renders the page
// without a groff warning, bash loads the completion and completes each command's own flags
// (never another command's), and zsh/fish scripts are syntactically valid where those shells exist.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../fixtures/temp.js';
import { completionScript } from '../../src/completion.js';
import { manPage } from '../../src/manpage.js';
import { COMMANDS, optionsOf } from '../../src/cli-options.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
let dir: string;
beforeAll(() => {
  dir = tempDir('mxprobe-man-');
});

describe.skipIf(!has('groff') && !inCi)('man page', () => {
  it('renders with groff -ww without a warning, and lists every option of every command', () => {
    const file = join(dir, 'mxprobe.1');
    writeFileSync(file, manPage('1.2.3', new Date('2026-12-04T00:00:00Z')));
    const r = spawnSync('groff', ['-ww', '-man', '-Tutf8', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/.\x08/g, '');
    for (const c of COMMANDS) for (const o of optionsOf(c)) expect(text, `--${o.long}`).toContain(`--${o.long}`);
    expect(text).toMatch(/EXIT STATUS/);
  });
});

describe.skipIf(!has('bash') && !inCi)('bash completion', () => {
  const complete = (words: string[]): string[] => {
    const file = join(dir, 'mxprobe.bash');
    writeFileSync(file, completionScript('bash'));
    const script = `source ${file}; complete -p mxprobe >/dev/null || exit 9; COMP_WORDS=(mxprobe ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _mxprobe; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
  };
  it('loads (complete -p) and completes commands', () => {
    expect(complete(['sc'])).toEqual(['scan']);
  });
  it('completes the flags of the command, not those of another', () => {
    expect(complete(['tlsa', '--tlsa'])).toEqual(['--tlsa-port']);
    expect(complete(['tlsa', '--po'])).toEqual([]);
    expect(complete(['scan', '--pro'])).toEqual(['--profile']);
  });
  it('completes the values the table knows', () => {
    expect(complete(['--level', 'da'])).toEqual(['dane', 'dane-only']);
    expect(complete(['scan', '--profile', 'mozilla-m'])).toEqual(['mozilla-modern']);
  });
});

describe('zsh and fish completion', () => {
  it.skipIf(!has('zsh'))('zsh parses it', () => {
    const file = join(dir, '_mxprobe');
    writeFileSync(file, completionScript('zsh'));
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
  });
  it.skipIf(!has('fish'))('fish parses it', () => {
    const file = join(dir, 'mxprobe.fish');
    writeFileSync(file, completionScript('fish'));
    expect(spawnSync('fish', ['-n', file]).status).toBe(0);
  });
  it('every command and every flag is in each script', () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const text = completionScript(shell);
      for (const c of COMMANDS) {
        expect(text, `${shell} ${c}`).toContain(c);
        for (const o of optionsOf(c)) expect(text, `${shell} --${o.long}`).toContain(o.long);
      }
    }
  });
});
