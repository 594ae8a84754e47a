// Deflates one export member off the page's thread (the JSON dump, while the page builds the CSVs): two
// cores share the export's work. A module of the extension's own origin, so the pages' CSP allows it.
import { deflateMember, type RawMember } from '@/lib/db/zip-members';

self.onmessage = (e: MessageEvent<RawMember>) => {
  const m = deflateMember(e.data);
  // The options form is the worker's and the window's alike: no cast to a Worker needed.
  self.postMessage(m, { transfer: [m.data.buffer] });
};
