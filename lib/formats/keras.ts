// Keras v3 `.keras`: a zip with config.json, metadata.json and model.weights.h5. The config names each
// layer by `module` + `class_name` (+ `registered_name`); loading imports that module and looks the class
// up, and a `Lambda` layer carries a marshalled Python function that runs when the model is called (or,
// with safe_mode off, deserialised). Spec: keras/src/saving/saving_lib.py, serialization_lib.py.
// Checked: every object in the config for Lambda layers and serialised lambdas, for modules outside Keras,
// and for dangerous callables inside or outside it (a function is named by its config: `keras.utils` +
// `get_file` downloads, CVE-2025-8747), and for pickles carried in its strings (base64 or hex), which the
// caller walks. Not checked: the weights file (data only).
import { decodeUtf8 } from './bytes';
import { encodedPickle } from './pickle';
import { classifyImport } from './pickle-policy';
import type { Finding, Risk } from './types';

/** JSON nesting walked at most; a real config nests a few dozen levels. */
const MAX_CONFIG_DEPTH = 256;
const MAX_CONFIG_NODES = 1_000_000;
/** Modules whose classes Keras itself ships, and the ones its own configs name for plain values. */
const KERAS_MODULES =
  /^(keras|tf_keras|tensorflow\.keras|keras_nlp|keras_cv|keras_hub)(\.|$)|^(builtins|numpy)$/;

/** Pickles carried in config strings (base64 or hex) kept for a walk, at most. */
const MAX_CONFIG_PICKLES = 16;

interface KerasResult {
  risk: Risk;
  findings: Finding[];
  details: Record<string, unknown>;
  /**
   * Pickles a config string carries, base64 or hex (a custom object's from_config can hand one to
   * pickle.loads; Keras itself never does), with where they are: the caller walks them.
   */
  pickles: { where: string; bytes: Uint8Array }[];
}

export function readKerasConfig(bytes: Uint8Array): KerasResult {
  const text = decodeUtf8(bytes);
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    return {
      risk: 'invalid',
      findings: [{ code: 'keras-bad-config', severity: 'error', message: 'config.json is not JSON' }],
      details: {},
      pickles: [],
    };
  }
  const findings: Finding[] = [];
  let lambdas = 0;
  let layers = 0;
  let nodes = 0;
  const custom = new Set<string>();
  const dangerous = new Set<string>();
  const pickles: KerasResult['pickles'] = [];
  // Where the walk is (keys and indexes), joined into a path only for a pickle found there.
  const trail: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > MAX_CONFIG_DEPTH || ++nodes > MAX_CONFIG_NODES) return;
    if (typeof v === 'string' && pickles.length < MAX_CONFIG_PICKLES) {
      const p = encodedPickle(v);
      if (p)
        pickles.push({ where: `config.json: a ${p.encoding} pickle at /${trail.join('/')}`, bytes: p.bytes });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        trail.push(String(i));
        walk(x, depth + 1);
        trail.pop();
      });
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.class_name === 'string') {
      layers++;
      // A Lambda layer, or a function serialised on its own (`__lambda__`): marshalled bytecode.
      if (o.class_name === 'Lambda' || o.class_name === '__lambda__') lambdas++;
      const module = typeof o.module === 'string' ? o.module : undefined;
      // A function is named by its config (`{"module": "keras.src.activations", "class_name": "function",
      // "config": "relu"}`): Keras imports module and takes that attribute, whatever the module.
      const name = o.class_name === 'function' && typeof o.config === 'string' ? o.config : o.class_name;
      if (module && classifyImport(module, name).safety === 'dangerous') dangerous.add(`${module}.${name}`);
      if (module && !KERAS_MODULES.test(module))
        custom.add(`${module}.${typeof o.registered_name === 'string' ? o.registered_name : name}`);
    }
    for (const [k, x] of Object.entries(o)) {
      trail.push(k.slice(0, 64));
      walk(x, depth + 1);
      trail.pop();
    }
  };
  walk(json, 0);
  let risk: Risk = 'safe';
  if (custom.size) {
    risk = 'caution';
    findings.push({
      code: 'keras-custom-object',
      severity: 'warning',
      message: `imports modules outside Keras: ${[...custom].slice(0, 10).join(', ')}`,
    });
  }
  if (lambdas) {
    risk = 'dangerous';
    findings.push({
      code: 'keras-lambda',
      severity: 'danger',
      message: `${lambdas} Lambda layer(s): their Python bytecode runs when the model is used`,
    });
  }
  if (dangerous.size) {
    risk = 'dangerous';
    findings.push({
      code: 'keras-dangerous-module',
      severity: 'danger',
      message: `the config makes Keras import ${[...dangerous].join(', ')}`,
    });
  }
  if (nodes > MAX_CONFIG_NODES)
    findings.push({
      code: 'keras-config-limit',
      severity: 'warning',
      message: `only the first ${MAX_CONFIG_NODES} config values were inspected`,
    });
  return { risk, findings, details: { configObjects: layers, lambdaLayers: lambdas }, pickles };
}
