// The answer of `POST /v1/check` (contract section 1). Its one definition is the
// client package's, which a published package must hold itself.
export type { CheckResponse } from '../../client/src/check-types.js';
