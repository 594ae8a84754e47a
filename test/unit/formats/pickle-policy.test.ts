import { describe, expect, it } from 'vitest';
import { MAX_NAME_PARTS, classifyImport, isWeightsOnlyGlobal } from '../../../lib/formats/pickle-policy';

describe('import policy', () => {
  const table: [string, string, string][] = [
    ['collections', 'OrderedDict', 'innocuous'],
    ['torch._utils', '_rebuild_tensor_v2', 'innocuous'],
    ['torch', 'FloatStorage', 'innocuous'],
    ['numpy.core.multiarray', '_reconstruct', 'innocuous'],
    ['__builtin__', 'set', 'innocuous'],
    ['copy_reg', '_reconstructor', 'innocuous'],
    ['__future__', 'annotations', 'suspicious'],
    ['__main__', 'MyModel', 'suspicious'],
    ['sklearn.linear_model', 'LogisticRegression', 'suspicious'],
    ['builtins', 'type', 'suspicious'],
    ['__torch__.torch.nn.modules.linear', 'Linear', 'suspicious'],
    ['os', 'system', 'dangerous'],
    ['posix', 'system', 'dangerous'],
    ['nt', 'system', 'dangerous'],
    ['subprocess', 'Popen', 'dangerous'],
    ['builtins', 'eval', 'dangerous'],
    ['__builtin__', 'getattr', 'dangerous'],
    ['builtins', '__import__', 'dangerous'],
    ['runpy', '_run_code', 'dangerous'],
    ['importlib', 'import_module', 'dangerous'],
    ['torch.storage', '_load_from_bytes', 'dangerous'],
    ['_pickle', 'loads', 'dangerous'],
    ['operator', 'attrgetter', 'dangerous'],
    ['webbrowser', 'open', 'dangerous'],
    ['socket', 'create_connection', 'dangerous'],
    ['pathlib', 'os.system', 'dangerous'],
    ['torch', 'os.system', 'dangerous'],
    ['collections', 'OrderedDict.__class__', 'dangerous'],
    ['builtins', '__dict__', 'dangerous'],
    ['', 'x', 'dangerous'],
  ];
  for (const [module, name, safety] of table) {
    it(`${module}.${name} is ${safety}`, () => {
      const r = classifyImport(module, name);
      expect(r.safety).toBe(safety);
      if (safety !== 'innocuous') expect(r.reason).toBeTruthy();
    });
  }

  it('says the capability behind every dangerous entry', () => {
    expect(classifyImport('subprocess', 'Popen').reason).toBe(
      'module subprocess starts, signals or ends processes',
    );
    expect(classifyImport('socket', 'socket').reason).toBe('module socket opens network connections');
    expect(classifyImport('builtins', 'getattr').reason).toMatch(/^builtins\.getattr reaches any attribute/);
    expect(classifyImport('torch', 'load').reason).toMatch(/^torch\.load loads another pickle/);
    expect(classifyImport('io', 'open').reason).toBe('io.open reads or writes files');
  });

  it('takes an unlisted callable named for a capability at its word; a name that only contains one is not', () => {
    for (const [module, name] of [
      ['hydra.utils', 'instantiate'],
      ['somepkg.tools', 'run_script'],
      ['vendor.helpers', 'import_string'],
      ['macos', 'system'],
      ['lib.net', 'urlretrieve'],
      ['lib.compat', 'loads'],
    ] as const) {
      const r = classifyImport(module, name);
      expect(r.safety, `${module}.${name}`).toBe('dangerous');
      expect(r.reason).toContain(`is named as a callable that`);
    }
    for (const [module, name] of [
      ['somepkg.metrics', 'evaluate_metrics'],
      ['somepkg.models', 'SystemModel'],
      ['somepkg', 'Executor'],
    ] as const)
      expect(classifyImport(module, name).safety, `${module}.${name}`).toBe('suspicious');
    // What real libraries write is judged first.
    expect(classifyImport('numpy', 'mean').safety).toBe('innocuous');
  });

  it("knows torch 1.13's weights_only allow list", () => {
    expect(isWeightsOnlyGlobal('torch._utils', '_rebuild_tensor_v2')).toBe(true);
    expect(isWeightsOnlyGlobal('torch', 'BFloat16Storage')).toBe(true);
    expect(isWeightsOnlyGlobal('torch.cuda.sparse', 'HalfTensor')).toBe(true);
    expect(isWeightsOnlyGlobal('numpy', 'ndarray')).toBe(false);
    expect(isWeightsOnlyGlobal('os', 'system')).toBe(false);
  });
});

describe('dotted names are bounded', () => {
  it('a 30-part innocent path is looked up directly (this was exponential, found by npm run fuzz)', () => {
    expect(classifyImport('mymodels', Array.from({ length: 30 }, (_, i) => `p${i}`).join('.')).safety).toBe(
      'suspicious',
    );
  });
  it(`more than ${MAX_NAME_PARTS} parts is dangerous by itself`, () => {
    expect(classifyImport('x', 'a.'.repeat(1000) + 'b')).toMatchObject({ safety: 'dangerous' });
  });
  it('a sub-path anywhere in the name is found', () => {
    expect(classifyImport('x', 'a.b.subprocess.Popen').safety).toBe('dangerous');
    expect(classifyImport('x', 'a.builtins.exec').safety).toBe('dangerous');
  });
});
