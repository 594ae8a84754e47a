// The peer corpora in ../shared/corpus/peers (picklescan, modelscan, fickling, ModelAudit test files) and
// their manifest. ../shared/ sits beside our checkout and CI's, not beside a user's clone: callers skip
// with a clear message when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaperLabel } from '../../lib/formats/types';

export const PEERS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/peers');
export const MANIFEST = join(PEERS_DIR, 'manifest.tsv');

export interface CorpusRow {
  path: string;
  size: number;
  paperRule: string;
  expected: 'dangerous' | 'safe' | 'unlabelled';
  expectedGlobals: string;
  labelKind: 'test' | 'heuristic' | 'none';
  source: string;
  picklescan: string;
  modelscan: string;
  fickling: string;
}

export function corpusAvailable(): boolean {
  return existsSync(MANIFEST);
}

export function readManifest(): CorpusRow[] {
  const lines = readFileSync(MANIFEST, 'utf8').split('\n').filter(Boolean);
  const header = lines.shift()?.split('\t') ?? [];
  const col = (name: string) => header.indexOf(name);
  return lines.map((line) => {
    const f = line.split('\t');
    const get = (name: string) => f[col(name)] ?? '';
    return {
      path: get('path'),
      size: Number(get('size')),
      paperRule: get('paper_rule_format'),
      expected: get('expected_verdict') as CorpusRow['expected'],
      expectedGlobals: get('expected_dangerous_globals'),
      labelKind: get('label_kind') as CorpusRow['labelKind'],
      source: get('expectation_source'),
      picklescan: get('picklescan'),
      modelscan: get('modelscan'),
      fickling: get('fickling'),
    };
  });
}

/** The manifest's `R5:Pickle`-style rule names, as paper labels. */
export function paperFromRule(rule: string): PaperLabel | undefined {
  const map: Record<string, PaperLabel> = {
    'R1:NumPy': 'numpy',
    'R2:HDF5': 'hdf5',
    'R3:SafeTensors': 'safetensors',
    'R4:NumPy(npz)': 'numpy',
    'R4:torch.save': 'torch.save',
    'R4:torch.jit': 'torch.jit',
    'R5:Dill': 'dill',
    'R5:Joblib': 'joblib',
    'R5:PyTorch-legacy': 'pytorch',
    'R5:Pickle': 'pickle',
    'none:Unknown': 'unknown',
  };
  return map[rule];
}
