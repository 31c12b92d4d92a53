// Postfix tests need root and the postfix/openssl binaries. Without them they are skipped with
// one loud line, except under CI=true (.ci/run, root, installs postfix): there a missing Postfix
// is a failure, never a silent skip.
import { describe, it } from 'vitest';
import { postfixTools } from '../../fixtures/postfix/tools.js';

const found = postfixTools();
export const postfixMissing: string | null = 'reason' in found ? found.reason : null;
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** describe() that runs only with a usable Postfix; see the file comment for CI. */
export function describePostfix(name: string, body: () => void): void {
  if (!postfixMissing) {
    describe(name, body);
  } else if (inCi) {
    describe(name, () => {
      it('has root and Postfix (required when CI=true)', () => {
        throw new Error(`CI=true but ${postfixMissing}`);
      });
    });
  } else {
    console.warn(`SKIPPED ${name}: ${postfixMissing}`);
    describe.skip(name, body);
  }
}
