// The sending side of lib/messaging.ts, for the content script and the extension's pages: unwraps the
// background's envelope into a value or an error.
import { browser } from 'wxt/browser';
import type { HubErrorCode } from './hub/errors';
import type { Envelope, MessageType, ProtocolMap, Reply } from './messaging';

export async function send<K extends MessageType>(
  type: K,
  data: ProtocolMap[K]['request'],
): Promise<Reply<K>> {
  const reply: Envelope<Reply<K>> | undefined = await browser.runtime.sendMessage({ type, data });
  if (!reply) throw new Error(`no reply to ${type}`);
  if (!reply.ok) throw new MessageError(reply.error, reply.code);
  return reply.value;
}

/** A failure the background replied with: its message, and its HubErrorCode when it was the Hub's. */
class MessageError extends Error {
  constructor(
    message: string,
    readonly code?: HubErrorCode,
  ) {
    super(message);
    this.name = 'MessageError';
  }
}
