// Code a repo ships that its loaders can run, which the Hub does not show: transformers' `auto_map` (in
// config.json and the tokenizer/processor configs) names classes in the repo's own .py files, imported
// and run by `from_pretrained(…, trust_remote_code=True)`; an entry `org/other--module.Class` imports them
// from another repo, at whatever that repo holds then (transformers dynamic_module_utils.py,
// get_class_from_dynamic_module). `custom_pipelines` in config.json do the same for pipeline(). Facts from
// transformers' docs ("Custom models", "Building custom models"); the JSON is read as data, bounded.
import type { Finding } from './types';

/** Root files that can carry an auto_map (AutoConfig/AutoModel…, AutoTokenizer, AutoProcessor…). */
export const CODE_CONFIGS = new Set([
  'config.json',
  'tokenizer_config.json',
  'preprocessor_config.json',
  'processor_config.json',
  'feature_extractor_config.json',
  'image_processor_config.json',
  'video_preprocessor_config.json',
]);
/** A config larger than this is not read (real ones are a few KiB; a tokenizer_config with a vocabulary is more). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** auto_map entries kept per config, and .py files named, at most. */
const MAX_ENTRIES = 64;
const MAX_NAMED = 8;

interface AutoMapEntry {
  /** The config it is declared in. */
  config: string;
  /** The Auto class (AutoModel, AutoTokenizer…) or `pipeline:<task>`. */
  auto: string;
  /** module.Class, as written after any repo prefix. */
  target: string;
  /** The .py file the module is read from (in `repo` when it names another). */
  file: string;
  /** Another repo the code comes from (`org/name--module.Class`). */
  repo?: string;
}

export interface RepoCode {
  autoMap: AutoMapEntry[];
  /** Every .py file in the listing, in order (a loader imports what auto_map names and what those import). */
  pythonFiles: string[];
  findings: Finding[];
}

function entry(config: string, auto: string, value: unknown): AutoMapEntry | undefined {
  if (typeof value !== 'string' || value.length > 300) return undefined;
  const [repo, target] = value.includes('--') ? value.split('--', 2) : [undefined, value];
  if (!target || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(target)) return undefined;
  const file = `${target.slice(0, target.lastIndexOf('.')).replace(/\./g, '/')}.py`;
  return { config, auto, target, file, ...(repo ? { repo } : {}) };
}

/** The auto_map and custom_pipelines entries of one config's text; undefined when it is not a JSON object. */
export function autoMapOf(config: string, text: string): AutoMapEntry[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const out: AutoMapEntry[] = [];
  const { auto_map: autoMap, custom_pipelines: pipelines } = json as Record<string, unknown>;
  if (autoMap && typeof autoMap === 'object' && !Array.isArray(autoMap))
    for (const [auto, value] of Object.entries(autoMap)) {
      // AutoTokenizer maps to [slow, fast], either may be null.
      for (const v of Array.isArray(value) ? value : [value]) {
        const e = entry(config, auto, v);
        if (e) out.push(e);
      }
    }
  if (pipelines && typeof pipelines === 'object' && !Array.isArray(pipelines))
    for (const [task, spec] of Object.entries(pipelines)) {
      const impl = spec && typeof spec === 'object' ? (spec as Record<string, unknown>).impl : undefined;
      const e = entry(config, `pipeline:${task}`, impl);
      if (e) out.push(e);
    }
  return out.slice(0, MAX_ENTRIES);
}

const configsSaying = (es: AutoMapEntry[]) => {
  const cs = [...new Set(es.map((e) => e.config))];
  return `${cs.join(' and ')} ${cs.length > 1 ? 'map' : 'maps'}`;
};

const named = (xs: string[]) =>
  xs.slice(0, MAX_NAMED).join(', ') + (xs.length > MAX_NAMED ? ` and ${xs.length - MAX_NAMED} more` : '');

/**
 * What a repo's listing and its configs say about code a loader runs. `configs` are the root configs found,
 * with their text, or why it was not read.
 */
export function repoCode(
  paths: string[],
  configs: { path: string; text?: string; unread?: string }[],
): RepoCode {
  const pythonFiles = paths.filter((p) => p.endsWith('.py'));
  const findings: Finding[] = [];
  const autoMap: AutoMapEntry[] = [];
  for (const c of configs) {
    const entries = c.text === undefined ? undefined : autoMapOf(c.path, c.text);
    if (!entries) {
      findings.push({
        code: 'repo-config-unread',
        severity: 'info',
        message: `${c.path} ${c.text === undefined ? `was not read (${c.unread ?? 'no reason given'})` : 'is not a JSON object'}: an auto_map in it would not be seen`,
      });
      continue;
    }
    autoMap.push(...entries);
  }
  const local = autoMap.filter((e) => !e.repo);
  if (local.length) {
    const files = [...new Set(local.map((e) => e.file))];
    const missing = files.filter((f) => !pythonFiles.includes(f));
    findings.push({
      code: 'repo-auto-map',
      severity: 'warning',
      message: `${configsSaying(local)} ${named([...new Set(local.map((e) => e.auto))])} to this repo's code: from_pretrained(…, trust_remote_code=True) imports and runs ${named(files)}${missing.length ? ` (not in the listing: ${named(missing)})` : ''}`,
    });
  }
  const remote = autoMap.filter((e) => e.repo);
  if (remote.length)
    findings.push({
      code: 'repo-auto-map-remote',
      severity: 'danger',
      message: `auto_map takes code from another repo: ${named([...new Set(remote.map((e) => `${e.repo}/${e.file}`))])}; trust_remote_code=True runs whatever that repo holds when it is loaded, not what was reviewed here`,
    });
  if (pythonFiles.length)
    findings.push({
      code: 'repo-python-files',
      severity: local.length || remote.length ? 'warning' : 'info',
      message: `${pythonFiles.length} Python file(s): ${named(pythonFiles)}${local.length || remote.length ? '' : '; no config maps a loader to them'}`,
    });
  return { autoMap, pythonFiles, findings };
}
