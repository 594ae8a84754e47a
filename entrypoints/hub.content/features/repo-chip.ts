// Repo home: a summary chip by the repo's name. Counts of model files by risk, whether safetensors weights
// are available or the repo is pickle-only, the code its loaders can run that the Hub does not show
// (auto_map to its .py files or another repo's, custom ONNX operators; lib/formats/repo-code.ts), and an
// open SFconvertbot PR with its number and a link — on a pickle-only repo, "safetensors waiting in PR #N"
// and whether that conversion checks out against the checkpoint (lib/hub/verify-pr.ts). The
// file list and the PRs come from the background (the API's only caller), within a budget per page view:
// at most CHIP_MAX_TREE_PAGES tree pages and CHIP_MAX_FILES files (the chip says when it stopped there).
// The chip sits in the header island, which the Hub's hydration re-renders: it is put back whenever it
// goes missing, with the state it had.
import { RISK_HELP } from '@/lib/formats/explain';
import type { RepoCode } from '@/lib/formats/repo-code';
import { RISKS_WORST_FIRST, type Risk, type Verdict } from '@/lib/formats/types';
import { SELECTORS } from '@/lib/hub/selectors';
import { repoPath } from '@/lib/hub/url';
import type { VerificationSummary } from '@/lib/db/schema';
import { VERIFY_WORDS } from '@/lib/hub/verify-summary';
import { send } from '@/lib/messaging-client';
import { ensureStyle, removeCopies } from '../badge';
import type { Feature, PageView } from '../page-views';
import { verdictOf } from '../verdicts';

const ORDER = RISKS_WORST_FIRST;
const PICKLE_FORMATS = new Set(['pickle', 'joblib', 'dill', 'torch-zip', 'torch-legacy', 'torch-tar']);

function chipText(
  verdicts: Verdict[],
  openPr: number | undefined,
  truncated = false,
): { counts: string; weights: string; pr?: string } {
  const counts = new Map<Risk, number>();
  for (const v of verdicts) counts.set(v.risk, (counts.get(v.risk) ?? 0) + 1);
  const hasSafetensors = verdicts.some((v) => v.format === 'safetensors' && v.risk === 'safe');
  const hasPickle = verdicts.some((v) => PICKLE_FORMATS.has(v.format));
  const listed =
    ORDER.filter((r) => counts.get(r))
      .map((r) => `${counts.get(r)} ${r}`)
      .join(' · ') || 'no model files';
  return {
    counts: truncated ? `${listed} (the first ${verdicts.length} model files read; there are more)` : listed,
    weights: hasSafetensors ? 'safetensors available' : hasPickle ? 'pickle only' : '',
    pr: openPr === undefined ? undefined : `SFconvertbot PR #${openPr} open`,
  };
}

/** The chip's word on the repo's code: the worst of what its loaders can run, with every finding in a title. */
function codeText(code: RepoCode, verdicts: Verdict[]): { kind: string; text: string; detail: string } {
  const has = (c: string) => code.findings.some((f) => f.code === c);
  const onnx = verdicts.some((v) => v.findings.some((f) => f.code === 'onnx-custom-domain'));
  const detail = [
    ...code.findings.map((f) => f.message),
    ...(onnx ? ['ONNX operators from a custom domain: they need a custom-op library to load'] : []),
  ].join('\n');
  if (has('repo-auto-map-remote'))
    return { kind: 'remote', text: "runs another repo's code with trust_remote_code", detail };
  if (has('repo-auto-map'))
    return { kind: 'auto-map', text: 'runs its own code with trust_remote_code', detail };
  if (onnx) return { kind: 'onnx-custom', text: 'custom ONNX operators', detail };
  if (code.pythonFiles.length)
    return { kind: 'python', text: `${code.pythonFiles.length} .py file(s)`, detail };
  return { kind: 'none', text: '', detail };
}

function start(view: PageView): () => void {
  const { repo } = view.info;
  const chip = document.createElement('span');
  chip.className = 'picklens-chip';
  chip.dataset.picklensChip = 'pending';
  chip.setAttribute('role', 'status');
  chip.textContent = 'Picklens: reading…';

  void (async () => {
    const [listing, prs] = await Promise.all([
      send('repoFiles', { repo, rev: 'main' }),
      send('refreshConversionPrs', { repo }).catch(() => []),
    ]);
    const [verdicts, repoCode] = await Promise.all([
      Promise.all(
        listing.files.map((f) => verdictOf(repo, 'main', f.path, f.size, f.contentKey, view.signal)),
      ),
      // The configs are read by the background (no engine in the page for them); a failure is no code seen.
      send('repoCode', { repo, rev: 'main', code: listing.code }).catch((): RepoCode => ({
        autoMap: [],
        pythonFiles: listing.code.pythonFiles,
        findings: [],
      })),
    ]);
    if (view.signal.aborted) return;
    const code = codeText(repoCode, verdicts);
    const open = prs.find((p) => p.status === 'open' || p.status === 'draft');
    const text = chipText(verdicts, open?.num, listing.truncated);
    chip.replaceChildren();
    // Coloured and marked by the worst risk among the repo's model files (the badges' colours and icons).
    const worst = ORDER.find((r) => verdicts.some((v) => v.risk === r));
    if (worst) {
      chip.dataset.picklensWorst = worst;
      const icon = document.createElement('span');
      icon.className = 'picklens-icon';
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = RISK_HELP[worst].icon;
      chip.append(icon);
    }
    const counts = document.createElement('span');
    counts.textContent = `Picklens: ${text.counts}${text.weights ? ` · ${text.weights}` : ''}`;
    chip.append(counts);
    if (code.text) {
      // Untrusted names (config keys, file names) reach the page only as text.
      const said = document.createElement('span');
      said.className = `picklens-chip-code picklens-chip-code-${code.kind}`;
      said.textContent = ` · ${code.text}`;
      said.title = code.detail;
      said.setAttribute('aria-label', `${code.text}. ${code.detail}`);
      chip.append(said);
    }
    if (text.pr && open) {
      const link = document.createElement('a');
      link.href = `/${repoPath(repo)}/discussions/${open.num}`;
      const pickleOnly = text.weights === 'pickle only';
      link.textContent = pickleOnly ? ` · safetensors waiting in PR #${open.num}` : ` · ${text.pr}`;
      chip.append(link);
      // A pickle-only repo with the bot's conversion waiting: is the conversion the same model? The
      // background checks it (headers and sampled bytes, once per worker life); a stored check shows at once.
      const said = document.createElement('span');
      said.className = 'picklens-chip-verify';
      chip.append(said);
      const show = (verdict: VerificationSummary['verdict'], detail: string) => {
        said.textContent = ` — ${VERIFY_WORDS[verdict]}`;
        said.title = detail;
        chip.dataset.picklensPrVerify = verdict;
      };
      if (open.verification)
        show(open.verification.verdict, open.verification.differences[0] ?? open.verification.reason ?? '');
      if (pickleOnly) {
        if (!open.verification) {
          said.textContent = ' — checking…';
          chip.dataset.picklensPrVerify = 'pending';
        }
        void send('verifyPr', { repo, num: open.num }).then(
          (r) => {
            if (!view.signal.aborted) show(r.verdict, r.differences[0]?.detail ?? r.reason ?? '');
          },
          () => {
            said.textContent = ' — check failed';
            chip.dataset.picklensPrVerify = 'error';
          },
        );
      }
    }
    chip.dataset.picklensChip = 'ready';
    for (const r of ORDER)
      chip.dataset[`picklens${r[0]?.toUpperCase()}${r.slice(1)}`] = String(
        verdicts.filter((v) => v.risk === r).length,
      );
    chip.dataset.picklensWeights = text.weights;
    chip.dataset.picklensCode = code.kind;
    chip.dataset.picklensTruncated = String(listing.truncated);
    if (open) chip.dataset.picklensOpenPr = String(open.num);
    view.repaint();
  })().catch((e: unknown) => {
    chip.textContent = 'Picklens: could not read this repo';
    chip.dataset.picklensChip = 'error';
    console.warn('picklens: repo chip', e);
  });

  return () => {
    ensureStyle(document);
    // The chip itself comes back where it belongs.
    removeCopies(document, '.picklens-chip[data-picklens-chip]', chip);
    const title = document.querySelector(SELECTORS.repoTitle);
    if (title && chip.parentElement !== title) title.append(chip);
  };
}

export const repoChip: Feature = {
  id: 'repo-chip',
  setting: 'repoChip',
  // Every tab of a repo: the Model card, Files and versions, a file, Community, a PR, the commits.
  include: () => true,
  start,
};
