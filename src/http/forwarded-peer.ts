// Who is calling, when a check thread passed the request on: the main thread sees
// the check thread's loopback connection, so the client's address travels in
// `x-gate-peer`, believed only beside the process's forward secret and only over
// loopback (a client that reached the main port some other way cannot name itself).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpResponse } from '@trufflesuite/uws-js-unofficial';

/** Set by a check thread: the client's address, as the main thread should see it. */
export const PEER_HEADER = 'x-gate-peer';
/** Set by a check thread: the process's forward secret, proving the peer header is its own. */
export const FORWARD_HEADER = 'x-gate-forward';

/** The two headers, as `readHead` read them ('' when absent). */
export interface ForwardedHead {
  gatePeer: string;
  gateForward: string;
}

/** The connection's own end: its address as text, and whether it is a loopback one. */
export interface SocketPeer {
  address: string;
  loopback: boolean;
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104, from uWS's 4- or 16-byte form. */
export function isLoopback(address: Uint8Array): boolean {
  if (address.length === 4) return address[0] === 127;
  if (address.length !== 16) return false;
  const zeros = (from: number, to: number): boolean => address.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 15) && address[15] === 1) return true;
  return zeros(0, 10) && address[10] === 0xff && address[11] === 0xff && address[12] === 127;
}

export function socketPeer(res: HttpResponse): SocketPeer {
  return {
    address: Buffer.from(res.getRemoteAddressAsText()).toString(),
    loopback: isLoopback(new Uint8Array(res.getRemoteAddress())),
  };
}

// Digests first: timingSafeEqual wants equal lengths, and the time then says nothing of the secret's.
function sameSecret(sent: string, secret: string): boolean {
  if (secret === '') return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(secret));
}

/** The client's address: `x-gate-peer` when the request came over loopback with the right secret, else the socket's. */
export function forwardedPeer(head: ForwardedHead, socket: SocketPeer, secret: string): string {
  if (!socket.loopback || head.gatePeer === '' || !sameSecret(head.gateForward, secret)) return socket.address;
  return head.gatePeer;
}
