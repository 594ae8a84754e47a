// The content script's side of lib/messaging.ts.
import type { Envelope, MessageType, ProtocolMap, Reply } from '@/lib/messaging';

export async function send<K extends MessageType>(
  type: K,
  data: ProtocolMap[K]['request'],
): Promise<Reply<K>> {
  const reply: Envelope<Reply<K>> | undefined = await browser.runtime.sendMessage({ type, data });
  if (!reply) throw new Error(`no reply to ${type}`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
