// The pinned uWS build (@trufflesuite/uws-js-unofficial 20.30) ships native
// binaries for Node.js 16, 18 and 20 (ABI 93, 108, 115) only. On any other Node.js
// it warns and falls back to a server written in JavaScript, without SO_REUSEPORT
// check threads, App.close or the speed the gate is built for: the gate refuses to
// start on it rather than run slowly.
import uWS from '@trufflesuite/uws-js-unofficial';

/** Why `loaded` is not uWS's native build, or undefined when it is (the fallback has no SSLApp). */
export function uwsFallbackReason(loaded: object, versions: Pick<NodeJS.ProcessVersions, 'node' | 'modules'>): string | undefined {
  if ('SSLApp' in loaded) return undefined;
  return `uWebSockets.js (@trufflesuite/uws-js-unofficial 20.30) has no native build for Node.js ${versions.node} (ABI ${versions.modules}), only for Node.js 16, 18 and 20 (ABI 93, 108, 115); run the gate on Node.js 20`;
}

export function requireNativeUws(): void {
  const reason = uwsFallbackReason(uWS, process.versions);
  if (reason !== undefined) throw new Error(reason);
}
