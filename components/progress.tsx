// A progress line for long work (history collection, batch): a <progress> with a text twin for readers.
import type { HistoryProgress } from '@/lib/background/history';

const PHASES: Record<HistoryProgress['phase'], string> = {
  commits: 'Listing commits',
  trees: 'Reading the files of each commit',
  files: 'Reading file headers',
  done: 'Done',
};

export function progressText(p: HistoryProgress, now = Date.now()): string {
  const count = p.total ? ` ${p.done} of ${p.total}` : p.done ? ` ${p.done}` : '';
  const left = p.waitUntil && p.waitUntil > now ? `; ${Math.ceil((p.waitUntil - now) / 1000)} s left` : '';
  return `${PHASES[p.phase]}${count}${p.note ? ` (${p.note}${left})` : ''}`;
}

export function Progress(props: { value?: number; max?: number; label: string }) {
  return (
    <div role="status" aria-live="polite">
      <progress
        value={props.max ? props.value : undefined}
        max={props.max || undefined}
        aria-label={props.label}
      />
      <div class="muted">{props.label}</div>
    </div>
  );
}
