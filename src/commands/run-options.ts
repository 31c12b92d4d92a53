// The run options (-c, --per-host, --per-host-rate, --retries, --retry-delay, --source-address)
// as the run engine takes them, read in one place for every command that runs through it, so
// `policy` and `probe` cannot pace, retry or bind differently for the same flags.
import { optionDefault, type CommandName } from '../cli-options.js';
import type { RunOptions } from '../run.js';
import { checkSourceAddresses } from '../run/source-pool.js';

type Values = Record<string, unknown>;

export type CommonRunOptions = Pick<RunOptions, 'concurrency' | 'perHost' | 'perHostRate' | 'retries' | 'retryDelayMs' | 'sourceAddresses'>;

export async function runOptionsFrom(v: Values, command: CommandName): Promise<CommonRunOptions> {
  const sourceAddresses = (v.sourceAddress as string[] | undefined) ?? [];
  // Bound once before the run, so a typo'd address is one usage error, not a failed probe per target.
  await checkSourceAddresses(sourceAddresses);
  return {
    concurrency: (v.concurrency as number | undefined) ?? optionDefault<number>('concurrency', command),
    perHost: (v.perHost as number | undefined) ?? optionDefault<number>('per-host', command),
    perHostRate: (v.perHostRate as number | undefined) ?? optionDefault<number>('per-host-rate', command),
    retries: (v.retries as number | undefined) ?? optionDefault<number>('retries', command),
    retryDelayMs: (v.retryDelay as number | undefined) ?? optionDefault<number>('retry-delay', command),
    sourceAddresses,
  };
}
