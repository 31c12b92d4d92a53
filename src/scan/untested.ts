// Why a unit of the scan was not tested, in one line: the answer the server did not give, or why
// no attempt was made. Every "not tested" in a scan result reads from here.
import { rateLimitReason } from '../smtp/rate-limit.js';
import type { AttemptResult } from './attempt.js';
import type { AttemptRunner } from './runner.js';

export function notTested(r: Exclude<AttemptResult<unknown>, { kind: 'accepted' } | { kind: 'rejected' }>, runner: AttemptRunner): string {
  if (r.kind === 'failed') return r.reason;
  if (r.kind === 'unavailable') {
    const limited = rateLimitReason(r.error, { earlierGreetings: runner.greeted });
    return limited ? `rate-limited: ${limited}` : r.error.message;
  }
  return runner.stopReason();
}
