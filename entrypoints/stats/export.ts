// The export in the page: the JSON dump is deflated in a worker while the CSVs are built and deflated here.
// Same members and container as lib/db/transfer's exportZip; where workers are unavailable, it runs inline.
import { csvMembers, jsonMember, type Dump } from '@/lib/db/transfer';
import { deflateMember, zipMembers, type DeflatedMember, type RawMember } from '@/lib/db/zip-members';
import DeflateWorker from './deflate-worker?worker';

function deflateInWorker(m: RawMember): Promise<DeflatedMember> {
  let worker: Worker;
  try {
    worker = new DeflateWorker();
  } catch {
    return Promise.resolve(deflateMember(m));
  }
  return new Promise<DeflatedMember>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<DeflatedMember>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(`the export worker failed: ${e.message}`));
    worker.postMessage(m, [m.bytes.buffer]);
  }).finally(() => worker.terminate());
}

export async function exportZipInPage(d: Dump, timings: Record<string, number>): Promise<Uint8Array> {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const json = deflateInWorker(jsonMember(d));
  lap('json');
  const csv = csvMembers(d);
  lap('csv');
  const deflated = csv.map(deflateMember);
  lap('deflate CSVs');
  const zip = zipMembers([...deflated, await json]);
  lap('wait for the JSON worker');
  return zip;
}
