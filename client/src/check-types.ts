// The check's request and answer (docs/contract.md section 1) and the gate's error
// codes (docs/errors.md). The gate uses these types as they are (src/gate/
// check-request.ts, check-response.ts and reason.ts re-export them); the reason
// and error codes are the gate's tables (REASON_CODES, GATE_ERRORS), and
// test/client-package.test.ts does not compile when these unions differ from them.

/** A listing as `POST /v1/check` receives it. */
export interface CheckRequest {
  listingId: string;
  sellerId: string;
  shopId?: string;
  title: string;
  description?: string;
  brand?: string;
  category?: string;
  price?: { amount: number; currency: string };
  images?: Array<{ url?: string; phash?: string }>;
  seller?: { phoneHash?: string; deviceId?: string; paymentAccountHash?: string; addressHash?: string };
  attributes?: Record<string, string>;
}

export type ReasonCode =
  | 'blocklist_seller'
  | 'blocklist_shop'
  | 'blocklist_identity'
  | 'indicator'
  | 'indicator_with_brand'
  | 'brand_below_floor'
  | 'rule'
  | 'text_fingerprint'
  | 'image_fingerprint'
  | 'ring'
  | 'brand_sound_alike'
  | 'degraded';

/** Why a listing got its verdict; offsets point into the caller's original field text. */
export interface Reason {
  code: ReasonCode;
  ref: string;
  field?: string;
  start?: number;
  end?: number;
}

export type Verdict = 'allow' | 'review' | 'block';

/** The answer of `POST /v1/check`, and of a message on the check socket (without its `seq`). */
export interface CheckResponse {
  checkId: string;
  listingId: string;
  verdict: Verdict;
  score: number;
  reasons: Reason[];
  policyVersion: string;
  /** Only when the verdict is `review`. */
  reviewId?: string;
  tookMicros: number;
}

/** The codes of the gate's error answers (docs/errors.md). */
export type GateErrorCode =
  | 'GATE_ERR_INVALID_BODY'
  | 'GATE_ERR_INVALID_FIELD'
  | 'GATE_ERR_EMPTY_BODY'
  | 'GATE_ERR_INVALID_PACK'
  | 'GATE_ERR_UNAUTHORIZED'
  | 'GATE_ERR_FORBIDDEN'
  | 'GATE_ERR_NOT_FOUND'
  | 'GATE_ERR_METHOD_NOT_ALLOWED'
  | 'GATE_ERR_CONFLICT'
  | 'GATE_ERR_BODY_TOO_LARGE'
  | 'GATE_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'GATE_ERR_UPGRADE_REQUIRED'
  | 'GATE_ERR_RATE_LIMITED'
  | 'GATE_ERR_IMAGE_REFUSED'
  | 'GATE_ERR_OVERLOADED'
  | 'GATE_ERR_NOT_READY'
  | 'GATE_ERR_IMAGE_UNAVAILABLE'
  | 'GATE_ERR_FORWARD_FAILED'
  | 'GATE_ERR_DEAD_LETTER'
  | 'GATE_ERR_INTERNAL';
