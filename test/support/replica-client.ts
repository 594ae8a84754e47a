// Node clients of the replica: undici's fetch with the replica's own certificate as the only CA, so TLS is
// verified for real (no NODE_TLS_REJECT_UNAUTHORIZED).
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../../lib/hub/http-source';

export function replicaFetch(
  cert: string,
  counter?: { calls: number; inFlight: number; maxInFlight: number },
): FetchLike {
  const dispatcher = new Agent({ connect: { ca: cert } });
  return async (input, init) => {
    if (counter) {
      counter.calls++;
      counter.inFlight++;
      counter.maxInFlight = Math.max(counter.maxInFlight, counter.inFlight);
    }
    try {
      return (await undiciFetch(input, { ...(init as object), dispatcher })) as unknown as Response;
    } finally {
      if (counter) counter.inFlight--;
    }
  };
}
