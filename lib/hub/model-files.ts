// Which files of a repo are model files: the study's extensions, plus gguf, keras, msgpack and archives,
// and extensionless files of 1 KB or more (a pickle needs no name). Everything, when the user asks.
/** The study's 16 model-file extensions (section III-B); lib/stats/study.ts counts these alone. */
export const STUDY_EXTENSIONS = [
  'bin',
  'h5',
  'hdf5',
  'ckpt',
  'pkl',
  'pickle',
  'dill',
  'pth',
  'pt',
  'model',
  'pb',
  'joblib',
  'npy',
  'npz',
  'safetensors',
  'onnx',
];
const MORE_EXTENSIONS = ['gguf', 'keras', 'msgpack', 'tar', 'zip', '7z'];
const MODEL_EXTENSIONS = new Set([...STUDY_EXTENSIONS, ...MORE_EXTENSIONS]);
/** Extensionless files smaller than this are not worth a request. */
const MIN_EXTENSIONLESS = 1024;

export function isModelFile(path: string, size: number | undefined, scanEverything = false): boolean {
  if (scanEverything) return true;
  const base = path.split('/').pop() ?? '';
  if (base.startsWith('.')) return false;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return (size ?? 0) >= MIN_EXTENSIONLESS;
  return MODEL_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}
