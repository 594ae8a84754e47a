// torch's own formats (torch/serialization.py): the zip torch.save has written since 1.6 (`data.pkl`, storages
// as `data/N`, `byteorder`, `version`) and TorchScript's (`constants.pkl`, `code/__torch__/…`); the legacy
// stacked pickles (magic number, protocol, sys_info, data, storage keys) and the pre-1.0 tar. What is checked:
// every pickle's imports and calls; TorchScript's code is flagged, not read. Raw storage bytes are not read.
import type { Reader } from './bytes';
import { addPickles, type Judgement } from './judgement';
import type { PaperEvidence } from './paper-rules';
import { kindOf, walkPickle, type PickleResult } from './pickle';
import type { TarMember } from './types';
import { readMember, type ZipEntry } from './zip';
import { walkMembers } from './zip-pickles';

/** torch's legacy magic number 0x1950a86a20f9469cfc6c, as pickle LONG1 bytes (torch/serialization.py). */
export const TORCH_LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

export async function torchZip(
  reader: Reader,
  entries: ZipEntry[],
  script: boolean,
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  acc.format = script ? 'torchscript' : 'torch-zip';
  const pkls = entries.filter((e) => e.name.endsWith('.pkl'));
  await walkMembers(reader, pkls, acc, ev);
  acc.details.records = entries.length;
  for (const rec of ['byteorder', 'version']) {
    const e = entries.find(
      (x) => x.name === rec || x.name.endsWith(`/${rec}`) || x.name.endsWith(`/.data/${rec}`),
    );
    if (e && e.size <= 64) {
      const m = await readMember(reader, e, 64);
      if (m.ok) acc.details[rec] = new TextDecoder().decode(m.bytes).trim();
    }
  }
  if (script) {
    acc.findings.push({
      code: 'torchscript-code',
      severity: 'warning',
      message:
        'TorchScript: its code/ folder runs in the TorchScript interpreter when loaded with torch.jit.load',
    });
    // torch.jit.load unpickles with TorchScript's own type resolver, which imports no Python module: the
    // archive's risk is its code, not a Python pickle VM, unless a pickle names something dangerous anyway.
    if (acc.risk !== 'dangerous') acc.risk = 'caution';
  }
}

/**
 * The pre-1.0 torch.save wrote a tar with sys_info, pickle, storages and tensors (torch/serialization.py
 * _load's legacy tar path): each member opens with a pickle.
 */
const TORCH_TAR_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

export function isTorchTar(names: string[]): boolean {
  return ['sys_info', 'pickle'].every((n) => names.includes(n));
}

export async function torchTar(
  reader: Reader,
  members: TarMember[],
  acc: Judgement,
  ev: PaperEvidence,
): Promise<void> {
  acc.format = 'torch-tar';
  const results: PickleResult[] = [];
  for (const m of members.filter((x) => TORCH_TAR_MEMBERS.includes(x.name))) {
    results.push(
      await walkPickle(reader, m.offset, {
        end: m.offset + m.size,
        where: m.name,
        onBytes: (b, at) => ev.substrings.feed(b, at),
      }),
    );
  }
  addPickles(acc, results);
}

/**
 * The legacy torch.save (torch/serialization.py _legacy_save): magic number, protocol version, sys_info, the
 * data, the storage keys — five pickles in a row (the first already walked); raw storage bytes follow and
 * are not read. Returns where the last pickle ended.
 */
export async function torchLegacy(
  reader: Reader,
  results: PickleResult[],
  at: number,
  acc: Judgement,
  feed: (b: Uint8Array, at: number) => void,
): Promise<number> {
  for (let i = 1; i < 5 && results[results.length - 1]?.complete; i++) {
    const r = await walkPickle(reader, at, { onBytes: feed });
    results.push(r);
    at = r.end;
  }
  acc.format = 'torch-legacy';
  const keys = results[4]?.top;
  acc.details.pickles = results.length;
  acc.details.storages = kindOf(keys, 'seq')?.n;
  acc.details.persistentIds = results.reduce((n, r) => n + r.persistentIds, 0);
  acc.details.protocol = results[3]?.protocol ?? results[0]?.protocol;
  return at;
}
