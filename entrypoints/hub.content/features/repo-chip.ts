// Repo home: a summary chip by the title. Counts of model files by risk, whether safetensors weights are
// available or the repo is pickle-only, and an open SFconvertbot PR with its number and a link. The file
// list and the PRs come from the background (the API's only caller); verdicts as on the tree page.
import type { Risk, Verdict } from '@/lib/formats/types';
import { parseHubUrl } from '@/lib/hub/url';
import { ensureStyle } from '../badge';
import { send } from '@/lib/messaging-client';
import { verdictOf } from '../verdicts';

const ORDER: Risk[] = ['dangerous', 'invalid', 'unsafe', 'caution', 'safe', 'unknown'];
const PICKLE_FORMATS = new Set(['pickle', 'joblib', 'dill', 'torch-zip', 'torch-legacy', 'torch-tar']);

export function chipText(
  verdicts: Verdict[],
  openPr: number | undefined,
): { counts: string; weights: string; pr?: string } {
  const counts = new Map<Risk, number>();
  for (const v of verdicts) counts.set(v.risk, (counts.get(v.risk) ?? 0) + 1);
  const hasSafetensors = verdicts.some((v) => v.format === 'safetensors' && v.risk === 'safe');
  const hasPickle = verdicts.some((v) => PICKLE_FORMATS.has(v.format));
  return {
    counts:
      ORDER.filter((r) => counts.get(r))
        .map((r) => `${counts.get(r)} ${r}`)
        .join(' · ') || 'no model files',
    weights: hasSafetensors ? 'safetensors available' : hasPickle ? 'pickle only' : '',
    pr: openPr === undefined ? undefined : `SFconvertbot PR #${openPr} open`,
  };
}

export function initRepoChip(signal: AbortSignal): void {
  const info = parseHubUrl(location.href);
  if (info?.page !== 'home') return;
  const { repo } = info;
  void send('logVisit', { repo, url: location.href, page: 'home' }).catch(() => undefined);
  ensureStyle(document);
  const chip = document.createElement('span');
  chip.className = 'picklens-chip';
  chip.dataset.picklensChip = 'pending';
  chip.setAttribute('role', 'status');
  chip.textContent = 'Picklens: reading…';
  const place = () => {
    const h1 = document.querySelector('main h1');
    if (h1 && !chip.isConnected) h1.append(chip);
  };
  place();
  // Hydration can re-render the header and drop the chip: put it back whenever that happens.
  const observer = new MutationObserver(place);
  observer.observe(document.body, { childList: true, subtree: true });
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });

  void (async () => {
    const [files, prs] = await Promise.all([
      send('repoFiles', { repo, rev: 'main' }),
      send('refreshConversionPrs', { repo }).catch(() => []),
    ]);
    const verdicts = await Promise.all(
      files.map((f) => verdictOf(repo, 'main', f.path, f.size, f.contentKey, signal)),
    );
    const open = prs.find((p) => p.status === 'open' || p.status === 'draft');
    const text = chipText(verdicts, open?.num);
    chip.replaceChildren();
    const counts = document.createElement('span');
    counts.textContent = `Picklens: ${text.counts}${text.weights ? ` · ${text.weights}` : ''}`;
    chip.append(counts);
    if (text.pr && open) {
      const link = document.createElement('a');
      link.href = `${location.pathname.replace(/\/$/, '')}/discussions/${open.num}`;
      link.textContent = ` · ${text.pr}`;
      chip.append(link);
    }
    chip.dataset.picklensChip = 'ready';
    for (const r of ORDER)
      chip.dataset[`picklens${r[0]?.toUpperCase()}${r.slice(1)}`] = String(
        verdicts.filter((v) => v.risk === r).length,
      );
    chip.dataset.picklensWeights = text.weights;
    if (open) chip.dataset.picklensOpenPr = String(open.num);
  })().catch((e: unknown) => {
    chip.textContent = 'Picklens: could not read this repo';
    chip.dataset.picklensChip = 'error';
    console.warn('picklens: repo chip', e);
  });
}
