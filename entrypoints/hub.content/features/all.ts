// Every feature of the content script, and the replica pages each must run on (and no other): a test holds
// the two together (test/unit/hub/features.test.ts), so a feature cannot go unlisted or untested.
import type { ReplicaPage } from '@/lib/hub/selectors';
import type { Feature } from '../page-views';
import { blobPanel } from './blob-panel';
import { prMarks } from './pr-marks';
import { repoChip } from './repo-chip';
import { treeBadges } from './tree-badges';

export const FEATURES: Feature[] = [treeBadges, repoChip, blobPanel, prMarks];

export const RUNS_ON: Record<string, ReplicaPage[]> = {
  'tree-badges': ['tree'],
  'repo-chip': ['tree', 'modelHome', 'datasetHome', 'spaceHome', 'blob', 'discussions', 'pullRequest'],
  'blob-panel': ['blob'],
  'pr-marks': ['discussions', 'pullRequest'],
};
