// Sends sd_notify datagrams through the addon (Node has no Unix datagram sockets): the
// one use of the native binding besides src/dataplane.ts. The binding is loaded on
// the first notification, so mcrd without $NOTIFY_SOCKET never needs it for this.
import type { NativeBinding } from './binding-types.js';
import { loadBinding } from './load-binding.js';

let binding: NativeBinding | undefined;

/** Sends one notification datagram to the socket at socketPath ("@name": abstract). */
export function sendNotification(socketPath: string, message: string): void {
  binding ??= loadBinding();
  binding.notify(socketPath, message);
}
