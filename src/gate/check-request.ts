/** A listing as `POST /v1/check` receives it (contract section 1). */
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
