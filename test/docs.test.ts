// The manual stays true to the code: the option tables in docs/ are what the option table
// generates, every stable code the source can emit is documented, every relative link resolves,
// and the README stays a README (at most 200 lines, its test command the one .ci/run runs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli-options.js';
import { fillOptionTables, optionTable, tablesIn } from '../src/option-docs.js';
import { ROOT } from './cli/helpers.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const MANUAL = ['README.md', 'CONTRIBUTING.md', ...DOCS];

function sources(dir = 'src'): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((e) => {
    const path = `${dir}/${e}`;
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('README.md', () => {
  it('is at most 200 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(201); // a final newline ends the last line
  });

  it('its test command is the one .ci/run ends with, and the one package.json defines', () => {
    expect(read('README.md')).toContain('npm run test:ci');
    const steps = read('.ci/run').trim().split('\n');
    expect(steps.at(-1)).toBe('npm run test:ci');
    expect(JSON.parse(read('package.json')).scripts['test:ci']).toBe('node scripts/test-ci.mjs');
  });
});

describe('option tables', () => {
  it.each(MANUAL)('%s: every generated table is what src/cli-options.ts gives (node scripts/readme-options.mjs)', (file) => {
    const text = read(file);
    expect(fillOptionTables(text)).toBe(text);
  });

  it('every command has its table in docs/', () => {
    const documented = new Set(DOCS.flatMap((f) => tablesIn(read(f))));
    expect(COMMANDS.filter((c) => !documented.has(c))).toEqual([]);
  });

  it('a table drifts when an option changes (the check can fail)', () => {
    const text = `<!-- options:demo -->\n${optionTable('demo').replace('--json', '--jsn')}\n<!-- /options:demo -->`;
    expect(fillOptionTables(text)).not.toBe(text);
    expect(() => fillOptionTables('<!-- options:nope -->\nx\n<!-- /options:nope -->')).toThrow(/no such command/);
  });
});

describe('docs/errors.md lists every stable code', () => {
  const errors = read('docs/errors.md');
  const documented = new Set([...errors.matchAll(/`([a-z0-9][a-z0-9.-]*)`/g)].map((m) => m[1]));
  const CODE = '([a-z0-9][a-z0-9.-]*)';
  // The forms a code takes in src/: a finding or error object, an add()/fail() helper, a ProbeError.
  const forms = [
    new RegExp(`code: '${CODE}'`, 'g'),
    new RegExp(`code: [^,'\`]*\\? '${CODE}' : '${CODE}'`, 'g'),
    new RegExp(`(?:\\(|: )'(?:info|warning|critical|error)',\\s*'${CODE}'`, 'g'),
    new RegExp(`'(?:info|warning|critical|error)', [^,'\`]*\\? '${CODE}' : '${CODE}'`, 'g'),
    new RegExp(`new ProbeError\\([^,]+,\\s*'${CODE}'`, 'g'),
    new RegExp(`\\bfail\\('${CODE}', `, 'g'),
  ];
  const found = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const file of sources()) {
    const text = read(file);
    for (const re of forms) for (const m of text.matchAll(re)) for (const code of m.slice(1)) if (code) found.set(code, file);
    // Codes built from a template (`protocol-${…}`): the docs must list at least one of the family.
    for (const m of text.matchAll(/code: `([a-z0-9-]+)\$\{/g)) prefixes.set(m[1], file);
  }
  const union = (type: string) => [...(new RegExp(`export type ${type} =([^;]+);`).exec(read('src/types.ts'))?.[1] ?? '').matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);

  it('finds the codes (the extraction itself works)', () => {
    expect(found.size).toBeGreaterThan(150);
    expect(found.get('dane-ta-name-mismatch')).toBe('src/policy-dns/findings.ts');
    expect(found.get('protocol-below-floor')).toBe('src/postfix/compare.ts');
    expect(found.get('needs-postfix-3.9')).toBe('src/policy/lint.ts');
    expect([...prefixes.keys()].sort()).toEqual(['cipher-', 'dh-params-', 'group-', 'protocol-']);
  });

  it('every code in src/ is documented', () => {
    const missing = [...found].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('every templated family, every ErrorCode and every VerifyReason is documented', () => {
    for (const prefix of prefixes.keys()) expect([...documented].some((c) => c.startsWith(prefix)), prefix).toBe(true);
    for (const code of [...union('ErrorCode'), ...union('VerifyReason')]) expect(documented.has(code), code).toBe(true);
  });

  it('docs/json.md lists every change kind and schema version', () => {
    const json = read('docs/json.md');
    for (const kind of union('ChangeKind')) expect(json, kind).toContain(`\`${kind}\``);
    const version = Number(/SCHEMA_VERSION = (\d+)/.exec(read('src/types.ts'))![1]);
    for (let v = 1; v <= version; v++) expect(json).toMatch(new RegExp(`^\\| ${v} \\|`, 'm'));
  });
});

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

describe('links', () => {
  it.each(MANUAL)('%s: every relative link and anchor resolves', (file) => {
    const text = read(file).replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#');
      const resolved = path ? join(dirname(join(ROOT, file)), path) : join(ROOT, file);
      let ok = true;
      try {
        statSync(resolved);
      } catch {
        ok = false;
      }
      if (ok && anchor && resolved.endsWith('.md')) ok = anchors(readFileSync(resolved, 'utf8')).has(anchor);
      if (!ok) broken.push(`${target} (${relative(ROOT, resolved)})`);
    }
    expect(broken).toEqual([]);
  });
});
