// What of a listing is looked up besides its text: its seller, shop and identity
// hashes in the blocklists, and the attributes that link sellers into rings.
import type { ListProbe } from '../lists/in-process-answer.js';
import type { RingAttribute } from '../rings/seller-rings.js';
import type { CheckRequest } from './check-request.js';

export function listProbes(request: CheckRequest): ListProbe[] {
  const probes: ListProbe[] = [{ kind: 'sellers', value: request.sellerId, field: 'sellerId' }];
  if (request.shopId) probes.push({ kind: 'shops', value: request.shopId, field: 'shopId' });
  const seller = request.seller;
  if (seller?.phoneHash) probes.push({ kind: 'phones', value: seller.phoneHash, field: 'seller.phoneHash' });
  if (seller?.deviceId) probes.push({ kind: 'devices', value: seller.deviceId, field: 'seller.deviceId' });
  if (seller?.paymentAccountHash) probes.push({ kind: 'paymentAccounts', value: seller.paymentAccountHash, field: 'seller.paymentAccountHash' });
  return probes;
}

export function ringAttributes(request: CheckRequest): RingAttribute[] {
  const seller = request.seller;
  const out: RingAttribute[] = [];
  if (seller?.phoneHash) out.push({ kind: 'phone', value: seller.phoneHash });
  if (seller?.deviceId) out.push({ kind: 'device', value: seller.deviceId });
  if (seller?.paymentAccountHash) out.push({ kind: 'payment', value: seller.paymentAccountHash });
  if (seller?.addressHash) out.push({ kind: 'address', value: seller.addressHash });
  return out;
}
