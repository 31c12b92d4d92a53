// What a submission client does between the EHLO inside TLS and MAIL: SMTP AUTH when asked
// for, and the REQUIRETLS check. One call from the conversation (src/conversation.ts).
import type { ProbeResult, QuitAfter } from '../types.js';
import type { SubmissionResolvedOptions } from '../submission-options.js';
import { authenticate } from './auth-step.js';
import { checkRequireTls, recordRequireTls } from './requiretls.js';
import type { SmtpSession } from './session.js';

export interface SubmissionStepInput {
  session: SmtpSession;
  result: ProbeResult;
  submission: SubmissionResolvedOptions;
  quitAfter: QuitAfter;
  timeoutMs: number;
}

export async function submissionStep({ session, result, submission, quitAfter, timeoutMs }: SubmissionStepInput): Promise<void> {
  recordRequireTls(result, submission.requireTls);
  if (submission.auth) await authenticate({ session, result, auth: submission.auth, timeoutMs });
  if (quitAfter !== 'tls' && quitAfter !== 'ehlo') checkRequireTls(result, submission.requireTls);
}
