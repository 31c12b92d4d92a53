import { UsageError } from './errors.js';
import type { ProbeOptions } from './types.js';

// Placeholder until the policy evaluator lands (issue 5, in progress).
export async function runPolicyCommand(_file: string, _values: Record<string, unknown>, _options: ProbeOptions): Promise<number> {
  throw new UsageError('policy: not implemented yet');
}
