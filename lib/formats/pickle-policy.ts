// Which imported globals are innocuous, suspicious or dangerous, and which `torch.load(weights_only=True)`
// would accept. Evidence: the deny/allow lists of picklescan, modelscan and fickling and torch 1.13's
// `_weights_only_unpickler` (../shared/corpus/lists/), read as facts; each tool misses gadgets the others
// catch, so this policy is a union plus rules (dunder access, dotted paths) rather than a copy of one list.
import ML_GLOBALS_FILE from './ml-globals.json';
import type { Safety } from './types';

export interface ImportSafety {
  safety: Safety;
  reason?: string;
}

/**
 * What a global can do when it is called or its attributes are walked: the reason an entry is denied. The
 * policy decides "dangerous" by capability, not by having seen a gadget: a callable that can do one of these
 * with the arguments a pickle gives it can run an attacker's code, whatever module it sits in.
 */
const CAPABILITIES = {
  code: 'runs or compiles code',
  import: 'imports modules or loads code by name',
  load: 'loads another pickle or serialized object, whose own imports are not in this file',
  process: 'starts, signals or ends processes',
  files: 'reads or writes files',
  network: 'opens network connections',
  interpreter: "reaches the interpreter's internals (memory, frames, loaded modules)",
  attributes: 'reaches any attribute of what it is given (a path to every capability above)',
} as const;
type Capability = keyof typeof CAPABILITIES;

/**
 * Whole modules whose every global has one of those capabilities, by the capability (the ML namespaces among
 * them compile, run or fetch code: fickling's UnsafeImportsML, the torch entry points of picklescan's GHSA
 * test files).
 */
const DANGEROUS_MODULES: Record<string, Capability> = {
  runpy: 'code',
  pdb: 'code',
  bdb: 'code',
  code: 'code',
  codeop: 'code',
  compileall: 'code',
  py_compile: 'code',
  timeit: 'code',
  cProfile: 'code',
  profile: 'code',
  trace: 'code',
  doctest: 'code',
  idlelib: 'code',
  lib2to3: 'code',
  _interpreters: 'code',
  _xxsubinterpreters: 'code',
  test: 'code',
  unittest: 'code',
  _pyrepl: 'code',
  ast: 'code',
  rlcompleter: 'code',
  readline: 'code',
  'torch._dynamo': 'code',
  'torch._inductor': 'code',
  'torch.compile': 'code',
  'torch.jit': 'code',
  'torch.fx': 'code',
  'torch.testing': 'code',
  'torch.utils.bottleneck': 'code',
  'torch.utils._config_module': 'code',
  'torch.utils.cpp_extension': 'code',
  'torch._export': 'code',
  'torch.export': 'code',
  'torch.onnx': 'code',
  'torch.cuda.jiterator': 'code',
  'numpy.f2py': 'code',
  'numpy.distutils': 'code',
  'numpy.testing': 'code',
  importlib: 'import',
  imp: 'import',
  _imp: 'import',
  zipimport: 'import',
  pkgutil: 'import',
  _frozen_importlib: 'import',
  _frozen_importlib_external: 'import',
  pydoc: 'import',
  pip: 'import',
  ensurepip: 'import',
  setuptools: 'import',
  distutils: 'import',
  site: 'import',
  venv: 'import',
  sysconfig: 'import',
  'torch.hub': 'import',
  'torch.package': 'import',
  'torch.distributed': 'import',
  'torch.utils.collect_env': 'import',
  'torch.utils.data.datapipes': 'import',
  marshal: 'load',
  pickle: 'load',
  _pickle: 'load',
  cPickle: 'load',
  pickletools: 'load',
  cloudpickle: 'load',
  os: 'process',
  posix: 'process',
  nt: 'process',
  subprocess: 'process',
  _posixsubprocess: 'process',
  pty: 'process',
  webbrowser: 'process',
  commands: 'process',
  multiprocessing: 'process',
  concurrent: 'process',
  threading: 'process',
  _thread: 'process',
  thread: 'process',
  asyncio: 'process',
  signal: 'process',
  _signal: 'process',
  atexit: 'process',
  pexpect: 'process',
  pipes: 'process',
  platform: 'process',
  _osx_support: 'process',
  _aix_support: 'process',
  ptyprocess: 'process',
  posixpath: 'files',
  ntpath: 'files',
  shutil: 'files',
  shelve: 'files',
  dbm: 'files',
  mmap: 'files',
  fileinput: 'files',
  tempfile: 'files',
  glob: 'files',
  syslog: 'files',
  sqlite3: 'files',
  _sqlite3: 'files',
  tarfile: 'files',
  zipfile: 'files',
  linecache: 'files',
  logging: 'files',
  socket: 'network',
  _socket: 'network',
  socketserver: 'network',
  ssl: 'network',
  select: 'network',
  selectors: 'network',
  telnetlib: 'network',
  ftplib: 'network',
  smtplib: 'network',
  poplib: 'network',
  imaplib: 'network',
  nntplib: 'network',
  http: 'network',
  httplib: 'network',
  urllib: 'network',
  urllib2: 'network',
  urllib3: 'network',
  requests: 'network',
  aiohttp: 'network',
  httpx: 'network',
  xmlrpc: 'network',
  paramiko: 'network',
  _ssl: 'network',
  sys: 'interpreter',
  ctypes: 'interpreter',
  _ctypes: 'interpreter',
  inspect: 'interpreter',
  gc: 'interpreter',
  'numpy.ctypeslib': 'interpreter',
};

/** Single callables with one of those capabilities, in modules that otherwise hold data or math. */
const DANGEROUS_GLOBALS: Record<string, Capability> = {
  'builtins.eval': 'code',
  'builtins.exec': 'code',
  'builtins.execfile': 'code',
  'builtins.compile': 'code',
  'builtins.breakpoint': 'code',
  'builtins.input': 'code',
  'builtins.help': 'code',
  'builtins.raw_input': 'code',
  'builtins.__build_class__': 'code',
  'types.CodeType': 'code',
  'types.FunctionType': 'code',
  'types.MethodType': 'code',
  'types.LambdaType': 'code',
  'torch.compile': 'code',
  'torch._C._jit_compile': 'code',
  'numpy.testing._private.utils.runstring': 'code',
  'numpy.f2py.compile': 'code',
  'dill._dill._create_code': 'code',
  'dill._dill._create_function': 'code',
  'dill._dill._eval_repr': 'code',
  'dill._dill._create_cell': 'code',
  'dill._dill._exec': 'code',
  'jinja2.Template': 'code',
  'code.interact': 'code',
  'builtins.__import__': 'import',
  'builtins.reload': 'import',
  'builtins.__loader__': 'import',
  'types.ModuleType': 'import',
  'torch.package.PackageImporter': 'import',
  'torch.classes.load_library': 'import',
  'torch.ops.load_library': 'import',
  'dill._dill._import_module': 'import',
  'torch.load': 'load',
  'torch.serialization.load': 'load',
  'torch.storage._load_from_bytes': 'load',
  'torch.hub.load': 'load',
  'torch.jit.load': 'load',
  'numpy.load': 'load',
  'numpy.lib.npyio.load': 'load',
  'joblib.load': 'load',
  'joblib.numpy_pickle.load': 'load',
  'dill.load': 'load',
  'dill.loads': 'load',
  'pandas.read_pickle': 'load',
  'pandas.io.pickle.read_pickle': 'load',
  'keras.models.load_model': 'load',
  'tensorflow.keras.models.load_model': 'load',
  'yaml.load': 'load',
  'yaml.unsafe_load': 'load',
  'sklearn.utils._joblib.load': 'load',
  'statsmodels.iolib.smpickle.load_pickle': 'load',
  'builtins.exit': 'process',
  'builtins.quit': 'process',
  'uuid._get_command_stdout': 'process',
  'builtins.open': 'files',
  'builtins.file': 'files',
  'dill._dill._create_filehandle': 'files',
  'logging.config.fileConfig': 'files',
  'io.open': 'files',
  '_io.open': 'files',
  'io.FileIO': 'files',
  '_io.FileIO': 'files',
  'codecs.open': 'files',
  'gzip.open': 'files',
  'bz2.open': 'files',
  'lzma.open': 'files',
  'logging.config.listen': 'network',
  'builtins.getattr': 'attributes',
  'builtins.setattr': 'attributes',
  'builtins.delattr': 'attributes',
  'builtins.apply': 'attributes',
  'builtins.globals': 'attributes',
  'builtins.locals': 'attributes',
  'builtins.vars': 'attributes',
  'builtins.memoryview': 'attributes',
  'operator.attrgetter': 'attributes',
  'operator.methodcaller': 'attributes',
  'operator.itemgetter': 'attributes',
  'operator.call': 'attributes',
  '_operator.attrgetter': 'attributes',
  '_operator.methodcaller': 'attributes',
  '_operator.itemgetter': 'attributes',
  '_operator.call': 'attributes',
  'functools.reduce': 'attributes',
  '_functools.reduce': 'attributes',
  'dill._dill._get_attr': 'attributes',
  'dill._dill._getattr': 'attributes',
};

/** Globals known to be plain data or tensor rebuilding, beyond the weights_only allow list. */
const INNOCUOUS_GLOBALS = new Set([
  'builtins.set',
  'builtins.frozenset',
  'builtins.dict',
  'builtins.list',
  'builtins.tuple',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.str',
  'builtins.int',
  'builtins.float',
  'builtins.complex',
  'builtins.bool',
  'builtins.slice',
  'builtins.range',
  'builtins.unicode',
  'builtins.long',
  'builtins.Ellipsis',
  'builtins.NotImplemented',
  'builtins.print',
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.Counter',
  'collections.deque',
  'copy_reg._reconstructor',
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  '_codecs.encode',
  'codecs.encode',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
  'decimal.Decimal',
  'fractions.Fraction',
  'argparse.Namespace',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__generator_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'joblib.numpy_pickle.NDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'torch.device',
  'torch.dtype',
  'torch.layout',
  'torch.memory_format',
  'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_device_tensor_from_numpy',
  'torch._tensor._rebuild_from_type_v2',
  'torch._utils._rebuild_wrapper_subclass',
  'torch.strided',
  'torch.per_tensor_affine',
]);

/**
 * The globals torch 1.13's `weights_only` unpickler accepts (its `_get_allowed_globals()` keys, read from
 * Debian's python3-torch 1.13.0a0; ../shared/corpus/lists/torch113_weights_only_allowed.json). Storage and
 * Tensor type names are expanded below.
 */
const TENSOR_TYPES = ['BFloat16', 'Bool', 'Byte', 'Char', 'Double', 'Float', 'Half', 'Int', 'Long', 'Short'];
const WEIGHTS_ONLY_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch.Size',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_sparse_csr_tensor',
  'torch._utils._rebuild_sparse_tensor',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch.complex128',
  'torch.complex32',
  'torch.complex64',
  'torch.float16',
  'torch.float32',
  'torch.float64',
  'torch.int16',
  'torch.int32',
  'torch.int64',
  'torch.int8',
  'torch.ComplexDoubleStorage',
  'torch.ComplexFloatStorage',
  'torch.QInt32Storage',
  'torch.QInt8Storage',
  'torch.QUInt2x4Storage',
  'torch.QUInt4x2Storage',
  'torch.QUInt8Storage',
  'torch.cuda.ComplexDoubleStorage',
  'torch.cuda.ComplexFloatStorage',
  ...TENSOR_TYPES.flatMap((t) => [
    `torch.${t}Storage`,
    `torch.${t}Tensor`,
    `torch.cuda.${t}Storage`,
    `torch.cuda.${t}Tensor`,
    `torch.cuda.sparse.${t}Tensor`,
    `torch.sparse.${t}Tensor`,
  ]),
]);

/**
 * The opcodes torch 1.13's `weights_only` unpickler handles (its `load()` dispatch); any other opcode makes
 * it raise. Read from Debian's python3-torch 1.13.0a0 `torch/_weights_only_unpickler.py`.
 */
export const WEIGHTS_ONLY_OPCODES = new Set([
  'GLOBAL',
  'NEWOBJ',
  'REDUCE',
  'BUILD',
  'APPEND',
  'APPENDS',
  'SETITEM',
  'SETITEMS',
  'MARK',
  'TUPLE',
  'TUPLE1',
  'TUPLE2',
  'TUPLE3',
  'NONE',
  'NEWFALSE',
  'NEWTRUE',
  'EMPTY_TUPLE',
  'EMPTY_LIST',
  'EMPTY_DICT',
  'EMPTY_SET',
  'BININT',
  'BININT1',
  'BININT2',
  'BINUNICODE',
  'SHORT_BINSTRING',
  'BINPERSID',
  'BINGET',
  'LONG_BINGET',
  'BINPUT',
  'LONG_BINPUT',
  'LONG1',
  'PROTO',
  'STOP',
]);

/** Python 2 spellings that resolve to the same objects in Python 3 (pickle's `_compat_pickle`). */
const MODULE_ALIASES: Record<string, string> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  exceptions: 'builtins',
  UserDict: 'collections',
  cStringIO: 'io',
  StringIO: 'io',
  urllib2: 'urllib',
  httplib: 'http',
  thread: '_thread',
  Queue: 'queue',
  commands: 'subprocess',
};

export function normaliseModule(module: string): string {
  return MODULE_ALIASES[module] ?? module;
}

const DUNDER = /^__\w+__$/;
/** Parts of a dotted name examined; a longer attribute path is itself a reason to refuse it. */
export const MAX_NAME_PARTS = 32;
/** Names that run code or open files wherever an attribute path reaches them. */
const DANGEROUS_CALL_NAMES = new Set([
  'eval',
  'exec',
  'compile',
  'getattr',
  'system',
  'popen',
  '__import__',
  'open',
]);
/** Real modules whose names look like dunders: importing from them reaches no interpreter internals. */
const DUNDER_NAMED_MODULES = new Set(['__main__', '__future__']);

export function isWeightsOnlyGlobal(module: string, name: string): boolean {
  return WEIGHTS_ONLY_GLOBALS.has(`${module}.${name}`);
}

/**
 * Callables in modules that otherwise hold data or math, each with what it does with its arguments (from the
 * advisories and write-ups of 2024–2026 on scanner bypasses, read as facts): evaluate or compile a string,
 * rebuild a function from bytecode, download, or import a repo's code.
 */
const DANGEROUS_CALLABLES: Record<string, string> = {
  'pandas.eval': 'evaluates a string expression (its python engine runs it as Python)',
  'pandas.core.computation.eval.eval': 'evaluates a string expression (its python engine runs it as Python)',
  'numexpr.evaluate': 'evaluates a string expression (numexpr before 2.8.5 passed it to eval)',
  'numexpr.necompiler.evaluate': 'evaluates a string expression (numexpr before 2.8.5 passed it to eval)',
  'sympy.sympify': 'turns a string into an expression with eval',
  'sympy.core.sympify.sympify': 'turns a string into an expression with eval',
  'sympy.parsing.sympy_parser.parse_expr': 'turns a string into an expression with eval',
  'jinja2.Template': 'compiles a template from a string; an unsandboxed template reaches Python objects',
  'jinja2.environment.Template':
    'compiles a template from a string; an unsandboxed template reaches Python objects',
  'jinja2.Environment.from_string':
    'compiles a template from a string; an unsandboxed template reaches Python objects',
  'jinja2.environment.Environment.from_string':
    'compiles a template from a string; an unsandboxed template reaches Python objects',
  'keras.utils.generic_utils.func_load': 'rebuilds a function from marshalled bytecode',
  'keras.src.utils.python_utils.func_load': 'rebuilds a function from marshalled bytecode',
  'keras.utils.python_utils.func_load': 'rebuilds a function from marshalled bytecode',
  'tensorflow.python.keras.utils.generic_utils.func_load': 'rebuilds a function from marshalled bytecode',
  'keras.utils.get_file': 'downloads a file from a URL',
  'keras.src.utils.file_utils.get_file': 'downloads a file from a URL',
  'tensorflow.keras.utils.get_file': 'downloads a file from a URL',
  'huggingface_hub.hf_hub_download': 'downloads a file from the Hub',
  'huggingface_hub.snapshot_download': 'downloads a repo from the Hub',
  'transformers.dynamic_module_utils.get_class_from_dynamic_module':
    "downloads and imports a repo's Python code",
  'transformers.dynamic_module_utils.get_class_in_module': "imports a repo's Python code",
};

/**
 * torch/jit/_pickle.py's helpers, which torch.jit.save writes into a TorchScript archive's pickles for typed
 * lists and tagged values: each returns its argument. Allowed by name, before `torch.jit` as a whole is denied.
 */
const TORCHSCRIPT_PICKLE_HELPERS = new Set([
  'torch.jit._pickle.build_intlist',
  'torch.jit._pickle.build_doublelist',
  'torch.jit._pickle.build_boollist',
  'torch.jit._pickle.build_tensorlist',
  'torch.jit._pickle.build_tensor_from_id',
  'torch.jit._pickle.restore_type_tag',
]);

/** Serializers that other packages vendor under their own path (joblib.externals.cloudpickle, srsly…). */
const VENDORED_CODE_SERIALIZERS = new Set(['cloudpickle']);

/**
 * Wrappers that bind a callable to arguments and run only what they wrap, which the walk sees (and judges) as
 * its own import: suspicious, not dangerous by themselves (models pickle `partial(SomeLayer, …)`).
 */
const CALLABLE_WRAPPERS = new Set(['functools.partial', 'functools.partialmethod', '_functools.partial']);

/**
 * The pickle extension registry's writers (CPython Lib/copyreg.py): `add_extension(module, name, code)` makes
 * the opcodes EXT1/EXT2/EXT4 with that code import module.name without naming it in the pickle. A model file
 * never needs to change how its own loader resolves codes.
 */
const EXTENSION_REGISTRY_WRITERS = new Set([
  'copyreg.add_extension',
  'copyreg.remove_extension',
  'copyreg.clear_extension_cache',
]);

/**
 * What real ML libraries write into their own pickles (scripts/ml-globals.py pickles 163 fitted scikit-learn
 * estimators, pandas, numpy and torch objects with the libraries' writers and records every import their
 * readers make; the versions are in ml-globals.json). Classes and rebuild helpers that, called with what their
 * library wrote, build an object: innocuous — unless a rule above calls them dangerous, which no entry meets
 * (test/unit/formats/ml-globals.test.ts).
 */
const ML_GLOBALS = new Set(Object.keys(ML_GLOBALS_FILE.globals));

/**
 * Callable names that say a capability, wherever they are defined: a global of a module this policy has no
 * entry for, called one of these, is taken at its word (the 2024–2026 bypasses reached `eval`, `run_script`,
 * `import_module`, `instantiate`… through modules no list named). What real libraries write (ML_GLOBALS and
 * the lists above) is judged before this; a name that merely contains a verb (`evaluate_metrics`) is not one.
 */
const CAPABILITY_NAMES: Record<string, Capability> = {
  eval: 'code',
  exec: 'code',
  execfile: 'code',
  compile: 'code',
  runcode: 'code',
  runsource: 'code',
  runstring: 'code',
  run_code: 'code',
  run_module: 'code',
  run_path: 'code',
  run_script: 'code',
  run_python: 'code',
  runctx: 'code',
  runcall: 'code',
  interact: 'code',
  func_load: 'code',
  import_module: 'import',
  load_module: 'import',
  import_string: 'import',
  import_object: 'import',
  locate: 'import',
  instantiate: 'import',
  get_class: 'import',
  get_method: 'import',
  get_class_from_dynamic_module: 'import',
  load_library: 'import',
  loads: 'load',
  load_pickle: 'load',
  read_pickle: 'load',
  system: 'process',
  popen: 'process',
  Popen: 'process',
  spawn: 'process',
  spawnv: 'process',
  spawnl: 'process',
  spawnlp: 'process',
  spawnvp: 'process',
  execv: 'process',
  execve: 'process',
  execvp: 'process',
  execl: 'process',
  execlp: 'process',
  exec_command: 'process',
  check_call: 'process',
  check_output: 'process',
  getoutput: 'process',
  getstatusoutput: 'process',
  startfile: 'process',
  urlopen: 'network',
  urlretrieve: 'network',
  download_url: 'network',
  hf_hub_download: 'network',
  snapshot_download: 'network',
};

/** Judged imports, by module and name: a folder of model files imports the same few globals over and over. */
const JUDGED = new Map<string, Readonly<ImportSafety>>();
/** Past this many distinct imports the map starts again, so a hostile pickle cannot grow it without bound. */
const MAX_JUDGED = 4096;

/** The safety of importing `name` from `module`, with the reason when it is not innocuous. */
export function classifyImport(module: string, name: string): Readonly<ImportSafety> {
  const key = `${module}\n${name}`;
  let judged = JUDGED.get(key);
  if (!judged) {
    if (JUDGED.size >= MAX_JUDGED) JUDGED.clear();
    judged = judgeImport(module, name);
    JUDGED.set(key, judged);
  }
  return judged;
}

function judgeImport(rawModule: string, name: string): ImportSafety {
  const module = normaliseModule(rawModule);
  const full = `${module}.${name}`;
  const moduleParts = module.split('.');
  const nameParts = name.split('.');

  if (module === '' || name === '') return { safety: 'dangerous', reason: 'an empty module or name' };
  if (TORCHSCRIPT_PICKLE_HELPERS.has(full)) return { safety: 'innocuous' };
  if (CALLABLE_WRAPPERS.has(full))
    return {
      safety: 'suspicious',
      reason: `${full} runs only the callable it wraps, which is judged as its own import`,
    };
  // The callable itself, or an attribute of it (`jinja2.Template.render`: protocol 4 walks the dots).
  const path = [...moduleParts, ...nameParts];
  for (let j = Math.min(path.length, MAX_NAME_PARTS); j > 1; j--) {
    const reached = path.slice(0, j).join('.');
    const what = DANGEROUS_CALLABLES[reached];
    if (what) return { safety: 'dangerous', reason: `${reached} ${what}` };
  }
  if (EXTENSION_REGISTRY_WRITERS.has(full))
    return {
      safety: 'dangerous',
      reason: `${full} rewrites the unpickler's extension registry: a later EXT opcode imports what it registered without naming it`,
    };
  const can = DANGEROUS_GLOBALS[full];
  if (can) return { safety: 'dangerous', reason: `${full} ${CAPABILITIES[can]}` };
  for (let i = moduleParts.length; i > 0; i--) {
    const prefix = moduleParts.slice(0, i).join('.');
    const moduleCan = DANGEROUS_MODULES[prefix];
    if (moduleCan) return { safety: 'dangerous', reason: `module ${prefix} ${CAPABILITIES[moduleCan]}` };
  }
  const vendored = moduleParts.find((p) => VENDORED_CODE_SERIALIZERS.has(p));
  if (vendored)
    return {
      safety: 'dangerous',
      reason: `module ${module} is ${vendored}, vendored: its loaders rebuild functions and import modules by name`,
    };
  // TorchScript archives name their classes `__torch__.…`; torch.jit.load resolves them from the archive's
  // own code/ folder, never through a Python import.
  if (moduleParts[0] === '__torch__' && !nameParts.some((p) => DUNDER.test(p))) {
    return {
      safety: 'suspicious',
      reason: 'a TorchScript class, resolved from the archive by torch.jit.load',
    };
  }
  // A dunder attribute (`__globals__`, `__subclasses__`, `__builtins__`...) reaches interpreter internals.
  const dunder =
    nameParts.find((p) => DUNDER.test(p)) ??
    moduleParts.find((p) => DUNDER.test(p) && !DUNDER_NAMED_MODULES.has(p));
  if (dunder && !INNOCUOUS_GLOBALS.has(full) && !/^numpy\.random\._pickle\./.test(full)) {
    return { safety: 'dangerous', reason: `it reaches the dunder attribute ${dunder}` };
  }
  // Protocol ≥ 4 resolves a dotted name with getattr, one part at a time: `pathlib.os.system` is
  // `os.system`. Any sub-path that names a dangerous module or callable makes the whole path dangerous.
  // Each sub-path is looked up directly (no recursion), and the parts are bounded: a hostile name of
  // thousands of dots must cost a few lookups, not an exponential walk.
  if (nameParts.length > MAX_NAME_PARTS) {
    return { safety: 'dangerous', reason: `an attribute path of ${nameParts.length} parts` };
  }
  if (nameParts.length > 1) {
    for (let i = 0; i < nameParts.length; i++) {
      const part = nameParts[i] ?? '';
      if (DANGEROUS_CALL_NAMES.has(part))
        return { safety: 'dangerous', reason: `the dotted path ${name} reaches ${part}` };
      for (let j = i + 1; j <= nameParts.length; j++) {
        const sub = nameParts.slice(i, j).join('.');
        if (DANGEROUS_MODULES[sub])
          return { safety: 'dangerous', reason: `the dotted path ${name} reaches module ${sub}` };
        if (
          j > i + 1 &&
          DANGEROUS_GLOBALS[
            normaliseModule(nameParts.slice(i, j - 1).join('.')) + '.' + (nameParts[j - 1] ?? '')
          ]
        ) {
          return { safety: 'dangerous', reason: `the dotted path ${name} reaches ${sub}` };
        }
      }
    }
    if (!INNOCUOUS_GLOBALS.has(full) && !WEIGHTS_ONLY_GLOBALS.has(full) && !ML_GLOBALS.has(full)) {
      return { safety: 'suspicious', reason: `the dotted path ${name} walks attributes of ${module}` };
    }
  }
  if (WEIGHTS_ONLY_GLOBALS.has(full) || INNOCUOUS_GLOBALS.has(full) || ML_GLOBALS.has(full))
    return { safety: 'innocuous' };
  const named = CAPABILITY_NAMES[name];
  if (named)
    return {
      safety: 'dangerous',
      reason: `${full} is named as a callable that ${CAPABILITIES[named]} (${name}), and no entry here says otherwise`,
    };
  if (module === 'builtins')
    return { safety: 'suspicious', reason: `builtins.${name} is not a plain data type` };
  if (module === '__main__')
    return { safety: 'suspicious', reason: 'a class from the pickling script itself (__main__)' };
  return { safety: 'suspicious', reason: `${full} is not on the list of known data types` };
}
