// Shell completions generated from the option table (src/cli-options.ts): the commands, and for
// each command exactly the flags it takes, with the values the table knows (levels, formats,
// profiles) and file completion for FILE arguments. Pure: a script out, nothing printed.
import { COMMANDS, optionsOf, type CliOption, type CommandName } from './cli-options.js';
import { LEVELS } from './levels.js';
import { OUTPUT_FORMATS, PROBE_FORMATS, QUIT_AFTER, SCAN_PROFILES } from './cli-options.js';
import { UsageError } from './errors.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The fixed values an option takes, when the table knows them. */
function valuesOf(o: CliOption, command: CommandName): readonly string[] | null {
  switch (o.long) {
    case 'level': return LEVELS;
    case 'format': return command === 'probe' ? PROBE_FORMATS : OUTPUT_FORMATS;
    case 'quit-after': return QUIT_AFTER;
    case 'profile': return SCAN_PROFILES;
    case 'mx': return ['first', 'all'];
    case 'fingerprint-digest': case 'digest': return ['sha256', 'sha1', 'md5'];
    case 'auth': return ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'];
    case 'table': return ['relay_clientcerts', 'check_ccert_access', 'tls_policy'];
    default: return null;
  }
}

const takesFile = (o: CliOption) => /FILE|DIR|PATH/.test(o.arg ?? '');
const flags = (o: CliOption) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])];

function bash(): string {
  const cases = COMMANDS.map((c) => {
    const opts = optionsOf(c);
    const words = [...opts.flatMap(flags), '--help'].join(' ');
    const values = opts.filter((o) => o.arg).map((o) => {
      const v = valuesOf(o, c);
      const action = v ? `COMPREPLY=($(compgen -W "${v.join(' ')}" -- "$cur"))` : takesFile(o) ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()';
      return `        ${flags(o).join('|')}) ${action}; return;;`;
    }).join('\n');
    return `    ${c})\n      case "$prev" in\n${values}\n      esac\n      COMPREPLY=($(compgen -W "${words}" -- "$cur"))${c === 'policy' || c === 'report' || c === 'tlsrpt' ? '\n      [[ $cur != -* ]] && COMPREPLY+=($(compgen -f -- "$cur"))' : ''};;`;
  }).join('\n');
  return `# bash completion for mxprobe (generated from its option table: mxprobe completion bash)
_mxprobe() {
  local cur prev cmd=probe i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${COMMANDS.join('|')}) cmd="\${COMP_WORDS[i]}"; break;;
    esac
  done
  if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
    COMPREPLY=($(compgen -W "${COMMANDS.join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
  esac
}
complete -o default -F _mxprobe mxprobe
`;
}

const zshEscape = (s: string) => s.replace(/[[\]:'\\]/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));

function zsh(): string {
  const fns = COMMANDS.map((c) => {
    const specs = optionsOf(c).map((o) => {
      const v = valuesOf(o, c);
      const arg = o.arg ? `:${zshEscape(o.arg)}:${v ? `(${v.join(' ')})` : takesFile(o) ? '_files' : ' '}` : '';
      const names = flags(o);
      const rep = o.repeat ? '*' : '';
      const head = names.length > 1 ? `'(${names.join(' ')})'{${names.join(',')}}'` : `'${rep}${names[0]}`;
      return `    ${head}[${zshEscape(o.description)}]${arg}'`;
    });
    return `_mxprobe_${c}() {\n  _arguments -s \\\n${specs.join(' \\\n')} \\\n    '*:argument:_files'\n}`;
  }).join('\n\n');
  return `#compdef mxprobe
# zsh completion for mxprobe (generated from its option table: mxprobe completion zsh)
${fns}

_mxprobe() {
  local cmd=probe
  if (( CURRENT > 2 )) && [[ \${words[2]} == (${COMMANDS.join('|')}) ]]; then
    cmd=\${words[2]}
    shift words; (( CURRENT-- ))
  elif (( CURRENT == 2 )) && [[ \${words[2]} != -* ]]; then
    _values 'command' ${COMMANDS.map((c) => `'${c}'`).join(' ')}
    return
  fi
  _mxprobe_$cmd
}
_mxprobe "$@"
`;
}

function fish(): string {
  const lines = [
    '# fish completion for mxprobe (generated from its option table: mxprobe completion fish)',
    `complete -c mxprobe -n '__fish_use_subcommand' -f -a '${COMMANDS.join(' ')}'`,
  ];
  for (const c of COMMANDS) {
    const when = c === 'probe' ? `not __fish_seen_subcommand_from ${COMMANDS.filter((x) => x !== 'probe').join(' ')}` : `__fish_seen_subcommand_from ${c}`;
    for (const o of optionsOf(c)) {
      const v = valuesOf(o, c);
      const parts = [`complete -c mxprobe -n '${when}' -l ${o.long}`];
      if (o.short) parts.push(`-s ${o.short}`);
      if (o.arg) parts.push(v ? `-x -a '${v.join(' ')}'` : takesFile(o) ? '-r -F' : '-x');
      parts.push(`-d '${o.description.replace(/'/g, "\\'")}'`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string): string {
  if (shell === 'bash') return bash();
  if (shell === 'zsh') return zsh();
  if (shell === 'fish') return fish();
  throw new UsageError(`completion: '${shell}' is not one of ${SHELLS.join(', ')}`);
}
