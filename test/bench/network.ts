// What a verdict costs over the network: requests and bytes per file against the local Hub replica, next
// to (a) downloading the whole file (picklescan's way), (b) huggingface.js's safetensors header read
// (bytes=0-0, then 0-7, then the header: 3 requests), (c) huggingface_hub's (one bytes=0-100000 request,
// a second only for a larger header); and the wall time to verdict a 20-file repo at 0 and 100 ms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { classify } from '../../lib/formats/classify';
import { scanHubRepo } from '../../lib/cli/hub-scan';
import { HubFileSource, resolveUrl, type FetchLike } from '../../lib/hub/http-source';
import { ascii, concat, le64 } from '../support/bytes';
import { FIXTURES_DIR } from '../support/fixtures';
import { replicaFetch } from '../support/replica-client';
import { writeZipSegments } from '../support/zip-writer';
import type { FileContent, RepoSpec } from '../hub/repos';
import { SMOOTH, startReplica } from '../hub/server';

const MB = 1024 * 1024;
const fx = (name: string) => new Uint8Array(readFileSync(join(FIXTURES_DIR, name)));

function shard(i: number, mb: number): FileContent {
  const bytes = mb * MB;
  const tensors: Record<string, unknown> = {};
  const n = 40;
  for (let t = 0; t < n; t++)
    tensors[`model.layers.${i}.${t}.weight`] = {
      dtype: 'BF16',
      shape: [bytes / n / 2],
      data_offsets: [(t * bytes) / n, ((t + 1) * bytes) / n],
    };
  const header = ascii(JSON.stringify({ __metadata__: { format: 'pt' }, ...tensors }));
  return { head: concat(le64(header.length), header), size: 8 + header.length + bytes };
}

function bigTorchZip(mb: number): FileContent {
  const members = Object.entries(unzipSync(fx('torch_state_dict.pt'))).map(([name, data]) => ({
    name,
    data: /\/data\/0$/.test(name) ? { zeros: mb * MB } : data,
  }));
  return { segments: writeZipSegments(members) };
}

function benchRepo(): RepoSpec {
  const files: Record<string, FileContent> = {};
  for (let i = 1; i <= 5; i++) files[`model-0000${i}-of-00005.safetensors`] = shard(i, 100);
  files['pytorch_model.bin'] = bigTorchZip(200);
  files['legacy/pytorch_model.bin'] = {
    head: fx('torch_legacy.bin'),
    size: fx('torch_legacy.bin').length + 200 * MB,
  };
  files['model-q4.gguf'] = { head: fx('tiny-v3.gguf'), size: 100 * MB };
  files['model.onnx'] = fx('relu.onnx');
  files['tf_model.h5'] = { head: fx('plain.h5'), size: 50 * MB };
  files['model.ckpt'] = fx('torch_state_dict.pt');
  files['optimizer.pt'] = fx('torch_whole_module.pt');
  files['scaler.pkl'] = fx('plain_protocol4.pkl');
  files['model.joblib'] = fx('raw.joblib');
  files['embeddings.npy'] = fx('numeric.npy');
  files['arrays.npz'] = fx('arrays_compressed.npz');
  files['model.keras'] = fx('dense.keras');
  files['checkpoint.tar'] = fx('torch_legacy.tar');
  files['training_args.bin'] = fx('plain_protocol2.pkl');
  files['model.safetensors'] = shard(0, 200);
  return {
    id: 'bench/twenty',
    commits: [{ title: 'twenty files', author: 'bench', date: '2026-01-01T00:00:00.000Z', files }],
  };
}

interface Cost {
  requests: number;
  bytes: number;
}

/** Counts fetch calls (one per Range request; the CDN redirect is followed inside it). */
function counting(f: FetchLike, cost: Cost): FetchLike {
  return async (u, i) => {
    cost.requests++;
    return f(u, i);
  };
}

async function fullDownload(f: FetchLike, url: string): Promise<Cost> {
  const res = await f(url);
  const bytes = (await res.arrayBuffer()).byteLength;
  return { requests: 1, bytes };
}

async function hfJs(f: FetchLike, url: string): Promise<Cost> {
  const get = async (a: number, b: number) =>
    new Uint8Array(await (await f(url, { headers: { Range: `bytes=${a}-${b}` } })).arrayBuffer());
  const probe = await get(0, 0);
  const len = await get(0, 7);
  const n = Number(new DataView(len.buffer, len.byteOffset).getBigUint64(0, true));
  const header = await get(8, 8 + n - 1);
  return { requests: 3, bytes: probe.length + len.length + header.length };
}

async function hfPy(f: FetchLike, url: string): Promise<Cost> {
  const first = new Uint8Array(await (await f(url, { headers: { Range: 'bytes=0-100000' } })).arrayBuffer());
  const n = Number(new DataView(first.buffer, first.byteOffset).getBigUint64(0, true));
  if (n + 8 <= first.length) return { requests: 1, bytes: first.length };
  const rest = new Uint8Array(await (await f(url, { headers: { Range: `bytes=8-${n + 7}` } })).arrayBuffer());
  return { requests: 2, bytes: first.length + rest.length };
}

export async function networkBench(): Promise<string> {
  // The common case first (no faults); the real site's faults (bogus 416s, redirects) in a row of their own.
  const hub = await startReplica({ repos: [benchRepo()], knobs: SMOOTH });
  const base = replicaFetch(hub.cert);
  const repo = { type: 'model' as const, id: 'bench/twenty' };
  const lines: string[] = [];
  const fmt = (c: Cost) =>
    `${c.requests} / ${c.bytes < 10 * MB ? `${(c.bytes / 1024).toFixed(1)} KiB` : `${(c.bytes / MB).toFixed(0)} MiB`}`;
  try {
    const tree: { path: string; size: number }[] = [];
    const listing = await base(`${hub.url}/api/models/bench/twenty/tree/main?recursive=true`);
    for (const e of (await listing.json()) as { path: string; size: number; type: string }[])
      if (e.type === 'file') tree.push(e);
    lines.push('Per file: requests / bytes for one verdict (Picklens), against the local Hub replica');
    lines.push(
      `  ${'file'.padEnd(36)}${'format'.padEnd(13)}${'size'.padEnd(10)}${'Picklens'.padEnd(16)}${'whole file'.padEnd(18)}${'huggingface.js'.padEnd(16)}${'huggingface_hub'.padEnd(17)}bytes saved vs whole`,
    );
    const worst = { requests: 0, overHeader: 0 };
    for (const e of tree.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const cost: Cost = { requests: 0, bytes: 0 };
      const src = new HubFileSource({
        endpoint: hub.url,
        repo,
        rev: 'main',
        path: e.path,
        size: e.size,
        fetch: counting(base, cost),
      });
      const v = await classify(src, { name: e.path });
      cost.bytes = src.bytesReceived;
      const url = resolveUrl(hub.url, repo, 'main', e.path);
      const whole = await fullDownload(base, url);
      const st = v.format === 'safetensors';
      const js = st ? fmt(await hfJs(base, url)) : '';
      const py = st ? fmt(await hfPy(base, url)) : '';
      const headerBytes = Number(v.details.headerBytes ?? 0);
      if (st || v.format === 'gguf' || v.format === 'pickle')
        worst.requests = Math.max(worst.requests, cost.requests);
      if (st) worst.overHeader = Math.max(worst.overHeader, cost.bytes - headerBytes - 8);
      lines.push(
        `  ${e.path.padEnd(36)}${v.format.padEnd(13)}${`${(e.size / MB).toFixed(e.size < MB ? 3 : 0)} MiB`.padEnd(10)}${fmt(cost).padEnd(16)}${fmt(whole).padEnd(18)}${js.padEnd(16)}${py.padEnd(17)}${(whole.bytes / Math.max(1, cost.bytes)).toFixed(0)}×`,
      );
    }
    lines.push(
      `  most requests for a safetensors, GGUF or pickle verdict: ${worst.requests}; most safetensors bytes past the header: ${(worst.overHeader / 1024).toFixed(1)} KiB`,
    );
    lines.push('');
    lines.push(
      '20-file repo, wall time to every verdict (Picklens: 20 files at once, as a browser over HTTP/2; the',
    );
    lines.push('tree listing included) next to downloading every file whole (20 at once)');
    for (const latency of [0, 100]) {
      hub.knobs.latencyMs = latency;
      let t = performance.now();
      const { files: results } = await scanHubRepo(repo, 'main', {
        endpoint: hub.url,
        fetch: base,
        concurrency: 20,
      });
      const picklens = performance.now() - t;
      t = performance.now();
      await Promise.all(tree.map((e) => fullDownload(base, resolveUrl(hub.url, repo, 'main', e.path))));
      const whole = performance.now() - t;
      lines.push(
        `  ${String(latency).padStart(3)} ms per request: Picklens ${(picklens / 1000).toFixed(2)} s for ${results.length} verdicts; whole files ${(whole / 1000).toFixed(2)} s (${(whole / picklens).toFixed(1)}×)`,
      );
    }
    // As rough as the real Hub: the Xet bridge, relative redirects for small files, one CDN range read in
    // five answered with CloudFront's bogus 416 (retried).
    Object.assign(hub.knobs, {
      latencyMs: 100,
      xetBridge: true,
      relativeRedirects: true,
      spurious416Every: 5,
    });
    hub.log.length = 0;
    const t = performance.now();
    const { files: rough } = await scanHubRepo(repo, 'main', {
      endpoint: hub.url,
      fetch: base,
      concurrency: 20,
    });
    const reads = hub.log.filter((l) => l.path.includes('/resolve/')).length;
    lines.push(
      `  100 ms, the real site's faults: Picklens ${((performance.now() - t) / 1000).toFixed(2)} s for ${rough.length} verdicts (${rough.filter((r) => r.verdict.risk !== 'unknown').length} read), ${reads} file requests, ${hub.log.filter((l) => l.status === 416).length} bogus 416s retried`,
    );
  } finally {
    await hub.close();
  }
  return lines.join('\n');
}
