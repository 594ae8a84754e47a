// A conversion check in words and in brief, for the pages, the popup and the record: nothing here reads a
// file, so a content script can import it without the engine.
import type { VerificationSummary } from '../db/schema';
import type { PrVerification } from './verify-pr';

/** Each verdict in a few words, the same in the CLI, the page and the popup. */
export const VERIFY_WORDS: Record<VerificationSummary['verdict'], string> = {
  equivalent: 'verified equivalent',
  'equivalent-with-ties': 'verified equivalent, except declared ties',
  differs: 'differs from the checkpoint',
  unverifiable: 'cannot verify',
};

/** Differences kept on the record, in words. */
const RECORDED_DIFFERENCES = 5;

export function summarize(r: PrVerification, at: number): VerificationSummary {
  return {
    verdict: r.verdict,
    at,
    ...(r.head ? { head: r.head } : {}),
    ...(r.base ? { base: r.base } : {}),
    tensors: r.tensors,
    compared: r.compared,
    coverage: r.coverage,
    ties: r.ties.length,
    differenceCount: r.differenceCount,
    differences: r.differences.slice(0, RECORDED_DIFFERENCES).map((d) => d.detail),
    ...(r.reason ? { reason: r.reason } : {}),
    requests: r.requests,
    bytesRead: r.bytesRead,
  };
}
