// One spelling for a host, so an allow-list entry, a URL's host and an address a
// name resolved to compare equal exactly when they name the same host: all three
// go through the WHATWG URL parser, the one the proxy then fetches with
// ('0x7f.1' and '127.0.0.1' are one host; 'Images.Example.COM' is 'images.example.com').
import { isIP } from 'node:net';

/** A host name, or an IPv4 or bracketed IPv6 literal; nothing else (no port, path, wildcard). */
const HOST_ENTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;

/** The canonical host of an allow-list entry, or undefined when the entry is not a bare host. */
export function canonicalHost(entry: string): string | undefined {
  if (!HOST_ENTRY.test(entry)) return undefined;
  if (!URL.canParse(`http://${entry}/`)) return undefined;
  const url = new URL(`http://${entry}/`);
  return url.port === '' && url.pathname === '/' ? url.hostname : undefined;
}

/** An address as dns.lookup gives it, spelled as a URL's host ('::1' -> '[::1]'). */
export function hostOfAddress(address: string): string {
  return canonicalHost(isIP(address) === 6 ? `[${address}]` : address) ?? address;
}
