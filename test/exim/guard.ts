// Exim tests need root and the unpacked Exim of fixtures/exim/fetch.sh. Without them they are
// skipped with one loud line, except under CI=true (.ci/run fetches it): there a missing Exim is
// a failure, never a silent skip.
import { describe, it } from 'vitest';
import { eximTools } from '../../fixtures/exim/tools.js';

const found = eximTools();
export const eximMissing: string | null = 'reason' in found ? found.reason : null;
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** describe() that runs only with a usable Exim; see the file comment for CI. */
export function describeExim(name: string, body: () => void): void {
  if (!eximMissing) {
    describe(name, body);
  } else if (inCi) {
    describe(name, () => {
      it('has root and the unpacked Exim (required when CI=true)', () => {
        throw new Error(`CI=true but ${eximMissing}`);
      });
    });
  } else {
    console.warn(`SKIPPED ${name}: ${eximMissing}`);
    describe.skip(name, body);
  }
}
