// Tells every page of the origin what changed, over a BroadcastChannel.
import { CHANNEL_NAME, type RegcacheEvent } from '../../core/protocol.js';

export class Events {
  #channel: BroadcastChannel | null = null;

  emit(event: RegcacheEvent): void {
    try {
      this.#channel ??= new BroadcastChannel(CHANNEL_NAME);
      this.#channel.postMessage(event);
    } catch {
      // No BroadcastChannel in this context: events are a courtesy, not a contract.
    }
  }
}
