// The export in the page: the JSON dump is deflated in a worker while the CSVs are built and deflated here.
// Same members and container as lib/db/transfer's exportZip; where workers are unavailable, it runs inline.
import { csvMembers, jsonMember, stopwatch, type Dump } from '@/lib/db/transfer';
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

/** Lets the page paint (a progress step) between two long synchronous steps. */
const paint = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function exportZipInPage(
  d: Dump,
  timings: Record<string, number>,
  onStep: (what: string) => void = () => undefined,
): Promise<Uint8Array> {
  const lap = stopwatch(timings);
  onStep('writing the JSON dump');
  await paint();
  const json = deflateInWorker(jsonMember(d));
  lap('json');
  onStep('writing the CSVs (the JSON is compressed meanwhile)');
  await paint();
  const csv = csvMembers(d);
  lap('csv');
  onStep('compressing the CSVs');
  await paint();
  const deflated = csv.map(deflateMember);
  lap('deflate CSVs');
  onStep('finishing the zip');
  const zip = zipMembers([...deflated, await json]);
  lap('wait for the JSON worker');
  return zip;
}
