// What a file's name promises, apart from what its bytes say (classify.ts). Kept out of the engine so the
// content script can name a cached verdict without loading the engine.
import type { Format, Verdict } from './types';

/** Which formats each extension promises; a file whose bytes say otherwise gets a finding. */
const EXTENSION_FORMATS: Record<string, Format[]> = {
  safetensors: ['safetensors'],
  gguf: ['gguf'],
  onnx: ['onnx'],
  npy: ['numpy'],
  npz: ['npz', 'zip'],
  h5: ['hdf5'],
  hdf5: ['hdf5'],
  keras: ['keras', 'hdf5'],
  bin: ['torch-zip', 'torch-legacy', 'torchscript', 'pickle', 'joblib', 'dill', 'unknown', 'lfs-pointer'],
  pt: ['torch-zip', 'torch-legacy', 'torchscript', 'pickle', 'torch-tar'],
  pth: ['torch-zip', 'torch-legacy', 'torchscript', 'pickle', 'torch-tar'],
  ckpt: ['torch-zip', 'torch-legacy', 'pickle', 'torchscript'],
  pkl: ['pickle', 'joblib', 'dill', 'torch-legacy', 'torch-zip'],
  pickle: ['pickle', 'joblib', 'dill', 'torch-legacy', 'torch-zip'],
  dill: ['dill', 'pickle'],
  joblib: ['joblib', 'pickle'],
  tar: ['tar', 'torch-tar'],
  zip: ['zip', 'npz', 'keras', 'torch-zip', 'torchscript'],
  '7z': ['7z'],
};
/** Formats whose loaders never run a pickle VM: a pickle-bearing file named like these misleads. */
const SAFE_BY_NAME = new Set(['safetensors', 'gguf', 'onnx', 'npy']);
export const PICKLE_BEARING = new Set<Format>([
  'pickle',
  'joblib',
  'dill',
  'torch-zip',
  'torch-legacy',
  'torch-tar',
  'torchscript',
]);

function extensionOf(name: string | undefined): string | undefined {
  const base = name?.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/**
 * The verdict of these bytes under this name: a name whose format the bytes are not is a finding, and a
 * pickle behind the name of a format that cannot run code is dangerous. A content verdict (no name
 * findings) is returned unchanged when the name agrees.
 */
export function withName(content: Verdict, name: string | undefined): Verdict {
  const ext = extensionOf(name);
  if (!ext) return content;
  const expected = EXTENSION_FORMATS[ext];
  if (!expected || expected.includes(content.format) || content.format === 'lfs-pointer') return content;
  if (content.format === 'unknown' && content.risk === 'unknown') return content;
  const misleads = SAFE_BY_NAME.has(ext) && PICKLE_BEARING.has(content.format);
  return {
    ...content,
    risk: misleads ? 'dangerous' : content.risk,
    findings: [
      ...content.findings,
      {
        code: 'extension-mismatch',
        severity: misleads ? 'danger' : 'warning',
        message: `named .${ext} but the bytes are ${content.format}${misleads ? ': a pickle behind the name of a format that cannot run code' : ''}`,
      },
    ],
  };
}
