// What to do about a verdict: for each format and risk, how to load the file without running code (or why
// not to load it), and the safer file beside it. Pure: the badge panel, the help page and the reports read
// the same words. Facts about the loaders, by source:
// - torch.load(weights_only=True) unpickles only allow-listed globals (PyTorch docs, torch.load; the
//   default since PyTorch 2.6);
// - numpy.load(allow_pickle=False) refuses object arrays, which are pickles (NumPy docs, numpy.load);
// - keras.saving.load_model(safe_mode=True), Keras 3's default, refuses to deserialize Lambda layers'
//   Python bytecode (Keras docs, load_model);
// - safetensors, GGUF and ONNX are read as data by their libraries; a GGUF chat template is Jinja rendered by
//   the runtime; ONNX custom-domain operators need native libraries registered by the user (onnxruntime docs).
import type { Verdict } from './types';

export interface Advice {
  /** One plain sentence: what to do, or why not. */
  say: string;
  /** The line of code that does it, when there is one. */
  code?: string;
}

export interface AdviceContext {
  /** Safetensors files in the same repo and revision (the tree's), when known. */
  safetensors?: string[];
  /** An SFconvertbot pull request that offers safetensors for this repo, when one is open. */
  conversionPr?: number;
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
/** A path as a Python string literal (JSON's escaping is valid Python for these). */
const lit = (path: string) => JSON.stringify(base(path));

function importsNamed(v: Verdict, safety: 'dangerous' | 'suspicious' | 'not-innocuous'): string {
  const list = v.imports
    .filter((i) => (safety === 'not-innocuous' ? i.safety !== 'innocuous' : i.safety === safety))
    .map((i) => `${i.module}.${i.name}`);
  const shown = [...new Set(list)].slice(0, 3).join(', ');
  return list.length > 3 ? `${shown} and ${list.length - 3} more` : shown;
}

const has = (v: Verdict, code: string) => v.findings.some((f) => f.code === code);

function forFormat(v: Verdict, path: string): Advice[] {
  const f = lit(path);
  switch (v.format) {
    case 'safetensors':
      return [
        {
          say: 'Load it with safetensors: reading tensors runs no code.',
          code: `safetensors.torch.load_file(${f})`,
        },
      ];
    case 'gguf':
      return has(v, 'gguf-chat-template') || has(v, 'gguf-template-escape')
        ? [
            { say: 'GGUF readers (llama.cpp and others) take its tensors as data.' },
            {
              say: 'Its chat template is a Jinja program the runtime renders: read it before you serve the model, and keep the runtime up to date.',
            },
          ]
        : [{ say: 'GGUF readers (llama.cpp and others) take it as data: no code runs.' }];
    case 'onnx':
      return has(v, 'onnx-custom-domain')
        ? [
            {
              say: 'It uses custom operators: onnxruntime runs them only from a native library you register yourself — load only one you trust.',
            },
          ]
        : [
            {
              say: 'onnxruntime runs its graph as data: no Python code is loaded.',
              code: `onnxruntime.InferenceSession(${f})`,
            },
          ];
    case 'numpy':
    case 'npz':
      return has(v, 'npy-object-array') || v.imports.length
        ? [
            {
              say: 'It holds Python objects: numpy loads it only with allow_pickle=True, which runs a pickle. Do not, unless you trust its source.',
              code: `numpy.load(${f}, allow_pickle=False)  # refuses it`,
            },
          ]
        : [
            {
              say: 'Load it with pickles refused: plain arrays load this way.',
              code: `numpy.load(${f}, allow_pickle=False)`,
            },
          ];
    case 'hdf5':
      return [
        { say: 'h5py reads its arrays without running code.', code: `h5py.File(${f}, "r")` },
        has(v, 'keras-lambda')
          ? {
              say: 'As a Keras model it has a Lambda layer, whose Python code runs when Keras loads it: keep safe_mode on, which refuses it.',
              code: `keras.saving.load_model(${f}, safe_mode=True)`,
            }
          : { say: 'As a Keras model, load it with safe_mode on (the default): Lambda layers are refused.' },
      ];
    case 'keras':
      return [
        {
          say: has(v, 'keras-lambda')
            ? 'Its Lambda layer holds Python code: load it with safe_mode on (the default), which refuses it — never turn safe_mode off for a file you did not make.'
            : 'Load it with safe_mode on (the default): Lambda layers would be refused.',
          code: `keras.saving.load_model(${f}, safe_mode=True)`,
        },
      ];
    case 'torchscript':
      return [
        {
          say: 'torch.jit.load runs the TorchScript program inside it, and has no weights-only mode: load it only from a source you trust.',
        },
      ];
    case 'torch-zip':
    case 'torch-legacy':
    case 'torch-tar':
      return v.weightsOnly
        ? [
            {
              say: 'torch.load with weights_only=True would load it: every global it names is one torch allows.',
              code: `torch.load(${f}, weights_only=True)`,
            },
          ]
        : [
            {
              say: `torch.load with weights_only=True would refuse it${v.imports.some((i) => i.safety !== 'innocuous') ? ` (it names ${importsNamed(v, 'not-innocuous')})` : ''}; loading it without that runs its pickle.`,
              code: `torch.load(${f}, weights_only=True)  # refuses it`,
            },
          ];
    case 'pickle':
    case 'joblib':
    case 'dill':
      return [
        {
          say: `${v.format === 'joblib' ? 'joblib.load' : v.format === 'dill' ? 'dill.load' : 'pickle.load'} runs the file's pickle, and has no safe mode${v.risk === 'unsafe' ? ': even with no dangerous import found, load it only from a source you trust' : ''}.`,
        },
      ];
    case 'zip':
    case 'tar':
    case '7z':
      return [{ say: 'An archive: what matters is what its members are; Picklens names the ones it read.' }];
    case 'lfs-pointer':
      return [
        {
          say: 'This is a Git LFS pointer, not the file: download the file itself (git lfs pull, or the download link).',
        },
      ];
    case 'unknown':
      return [];
  }
}

/** What to do, most important first. */
export function adviceFor(v: Verdict, path: string, ctx: AdviceContext = {}): Advice[] {
  const out: Advice[] = [];
  if (v.risk === 'dangerous')
    out.push({
      say: `Do not load it${v.imports.some((i) => i.safety === 'dangerous') ? `: it calls ${importsNamed(v, 'dangerous')}, which can run any code on your machine` : ': it is built to run code or to mislead scanners'}.`,
    });
  else if (v.risk === 'invalid')
    out.push({ say: 'Do not load it: the file breaks its own format, so a loader may fail or misread it.' });
  else if (v.risk === 'unknown')
    out.push({
      say: v.findings.some((f) => f.code === 'read-failed')
        ? 'Picklens could not read it (see below): treat it as unknown until it can.'
        : 'Picklens could not tell what this is: do not load it with pickle, torch.load or joblib.',
    });
  if (v.risk !== 'invalid') out.push(...forFormat(v, path));
  if (v.risk === 'dangerous' || v.risk === 'unsafe' || v.risk === 'invalid') {
    const alt = ctx.safetensors?.find((p) => p !== path);
    if (alt)
      out.push({
        say: `Use the repo's safetensors file instead: ${alt}.`,
        code: `safetensors.torch.load_file(${lit(alt)})`,
      });
    else if (ctx.conversionPr)
      out.push({
        say: `SFconvertbot's pull request #${ctx.conversionPr} offers this model as safetensors: load that revision instead.`,
        code: `from_pretrained(..., revision="refs/pr/${ctx.conversionPr}", use_safetensors=True)`,
      });
  }
  return out;
}
