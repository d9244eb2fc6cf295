// A listing as `POST /v1/check` receives it (contract section 1). Its one
// definition is the client package's, which a published package must hold itself.
export type { CheckRequest } from '../../client/src/check-types.js';
