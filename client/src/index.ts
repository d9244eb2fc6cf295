export { GateClient, type CheckOptions } from './gate-client.js';
export { CheckStream, type CheckStreamOptions, type StreamCheckOptions } from './check-stream.js';
export { GateClientError, CLIENT_ERRORS, type ClientErrorCode } from './gate-client-error.js';
export { MAX_DEADLINE_MS, type GateClientOptions } from './client-options.js';
export { imageHash } from './image-hash.js';
export type { WireFormat } from './wire-format.js';
export type { CheckRequest, CheckResponse, Reason, ReasonCode, Verdict, GateErrorCode } from './check-types.js';
