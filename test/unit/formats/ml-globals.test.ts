// The allow-list collected from real libraries (scripts/ml-globals.py → lib/formats/ml-globals.json): each
// entry is what a library wrote into its own pickle, and none of them meets a rule that calls it dangerous.
import { describe, expect, it } from 'vitest';
import ML_GLOBALS_FILE from '../../../lib/formats/ml-globals.json';
import { classifyImport } from '../../../lib/formats/pickle-policy';

const globals = Object.entries(ML_GLOBALS_FILE.globals);

function split(full: string): [string, string] {
  // module.name, the name being the part after the last dot (no entry has a dotted name).
  const at = full.lastIndexOf('.');
  return [full.slice(0, at), full.slice(at + 1)];
}

describe('ml-globals.json', () => {
  it('was written from the libraries it names, with the writer of each entry', () => {
    expect(Object.keys(ML_GLOBALS_FILE.libraries).sort()).toEqual([
      'joblib',
      'numpy',
      'pandas',
      'sklearn',
      'torch',
    ]);
    expect(ML_GLOBALS_FILE.estimators).toBeGreaterThan(100);
    expect(globals.length).toBeGreaterThan(200);
    for (const [name, writers] of globals) expect(writers.length, name).toBeGreaterThan(0);
  });

  it('every entry is innocuous to the policy (no dangerous rule meets one)', () => {
    for (const [full] of globals)
      expect(classifyImport(...split(full)), full).toEqual({ safety: 'innocuous' });
  });

  it('holds what the libraries really write: an estimator, a frame, a module, a rebuild helper', () => {
    for (const k of [
      'sklearn.linear_model._logistic.LogisticRegression',
      'sklearn.ensemble._forest.RandomForestClassifier',
      'pandas.core.frame.DataFrame',
      'torch.nn.modules.linear.LazyLinear',
      'torch._utils._rebuild_tensor_v2',
      'numpy.core.multiarray._reconstruct',
    ])
      expect(ML_GLOBALS_FILE.globals, k).toHaveProperty([k]);
  });

  it('never the callables that run code whatever their arguments', () => {
    for (const k of [
      'builtins.getattr',
      '__builtin__.getattr',
      'builtins.eval',
      'builtins.exec',
      'os.system',
    ])
      expect(Object.keys(ML_GLOBALS_FILE.globals)).not.toContain(k);
  });

  it('a class of a listed library that real files do not write stays suspicious', () => {
    expect(classifyImport('sklearn.utils._testing', 'SomethingNew').safety).toBe('suspicious');
  });
});
