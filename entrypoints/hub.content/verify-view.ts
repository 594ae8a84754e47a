// A conversion check as the page shows it: the verdict first, then what was compared, what differs, what it
// cost, and how to use the PR's weights without merging (with a copy button). Every name in it comes from the
// Hub (tensor names, paths): set as text only.
import { VERIFY_WORDS } from '@/lib/hub/verify-summary';
import type { PrVerification } from '@/lib/hub/verify-pr';
import type { VerifyProgress } from '@/lib/background/verify';

/** Differences listed on the page; the CLI gives them all. */
const SHOWN_DIFFERENCES = 8;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function kib(n: number): string {
  return n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${(n / 1048576).toFixed(1)} MiB`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 ? 3 : 1)}%`;
}

/** The panel while the check runs. */
export function pendingPanel(panel: HTMLElement, progress: VerifyProgress | null): void {
  panel.dataset.picklensVerify = 'pending';
  const where =
    !progress || progress.phase === 'listing'
      ? 'finding the files'
      : progress.phase === 'headers'
        ? `reading headers ${progress.done}/${progress.total}`
        : `comparing samples ${progress.done}/${progress.total}`;
  panel.replaceChildren(
    el('strong', 'Picklens: checking the conversion against the checkpoint…'),
    el('span', ` ${where}`),
  );
}

/** The panel with a finished check; `again` runs it anew. */
export function resultPanel(panel: HTMLElement, r: PrVerification, again: () => void): void {
  panel.dataset.picklensVerify = r.verdict;
  const head = el('strong', `Picklens: ${VERIFY_WORDS[r.verdict]}`);
  const parts: Node[] = [head];
  if (r.reason) parts.push(el('p', r.reason, 'picklens-verify-reason'));
  if (r.tensors)
    parts.push(
      el(
        'p',
        `${count(r.tensors, 'tensor')} compared by name, dtype and shape; ${r.compared} sampled in both files (${percent(r.coverage)} of the tensor bytes compared).${r.unwrapped ? ` The checkpoint's "${r.unwrapped}" was compared, as the converter takes it.` : ''}`,
      ),
    );
  if (r.unreadSamples)
    parts.push(
      el(
        'p',
        `${count(r.unreadSamples, 'sample window')} could not be read after retries and were left out.`,
      ),
    );
  if (r.ties.length) {
    const list = el('ul', undefined, 'picklens-verify-list');
    for (const t of r.ties.slice(0, SHOWN_DIFFERENCES))
      list.append(el('li', `${t.removed} is ${t.kept} (a tie the conversion declares in its __metadata__)`));
    parts.push(list);
  }
  if (r.differences.length) {
    const list = el('ul', undefined, 'picklens-verify-list picklens-verify-differences');
    for (const d of r.differences.slice(0, SHOWN_DIFFERENCES)) {
      const li = el('li', d.detail);
      li.dataset.picklensKind = d.kind;
      list.append(li);
    }
    if (r.differenceCount > SHOWN_DIFFERENCES)
      list.append(
        el(
          'li',
          `… ${r.differenceCount - SHOWN_DIFFERENCES} more (npm run scan -- --hub … --verify-pr lists them all)`,
        ),
      );
    parts.push(list);
  }
  parts.push(
    el(
      'p',
      `Read: ${kib(r.bytesRead)} in ${count(r.requests, 'request')}, of which ${r.apiCalls} to the API.${r.compared ? ' Sampling compares a few elements of every tensor; a change elsewhere in a tensor is not seen.' : ''}`,
      'picklens-verify-cost',
    ),
  );
  if (r.usage && r.verdict.startsWith('equivalent')) {
    const use = el('p', 'Use these weights without merging: ', 'picklens-verify-usage');
    const code = el('code', r.usage);
    const copy = el('button', 'Copy');
    copy.type = 'button';
    copy.addEventListener('click', () => {
      void navigator.clipboard.writeText(r.usage ?? '').then(
        () => (copy.textContent = 'Copied'),
        () => (copy.textContent = 'Copy failed: select the line'),
      );
    });
    use.append(code, ' ', copy);
    parts.push(use);
  }
  const button = el('button', 'Check again');
  button.type = 'button';
  button.dataset.picklensVerifyAgain = '';
  button.addEventListener('click', again);
  parts.push(button);
  panel.replaceChildren(...parts);
}
