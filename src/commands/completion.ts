// `mxprobe completion bash|zsh|fish`: completions generated from the option table.
import { UsageError } from '../errors.js';
import { completionScript, SHELLS } from '../completion.js';

export async function runCompletionCommand(args: string[]): Promise<number> {
  const [shell] = args;
  if (shell === undefined) throw new UsageError(`completion needs a shell: ${SHELLS.join(', ')} (e.g. mxprobe completion bash > /etc/bash_completion.d/mxprobe)`);
  process.stdout.write(completionScript(shell));
  return 0;
}
