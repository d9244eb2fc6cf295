// Whether a listing judged on a thread of its own (a check thread, a backtest)
// needs what only the event loop can ask Redis: the thread's copy of a table
// says a list, a ring or a person's verdict may be involved, or a rights holder
// shared the seller with the alliance.
import type { CheckRequest } from '../gate/check-request.js';
import { ringAttributes } from '../gate/list-probes.js';
import type { ListProbe } from '../lists/in-process-answer.js';
import type { MembershipReplica } from '../lists/membership-replica.js';
import { mightHaveIn } from '../review/decided-listings.js';
import { mightBeFlaggedIn } from '../rings/ring-flags.js';
import { nodesOf } from '../rings/seller-rings.js';
import type { TableName } from './thread-messages.js';

export function needsEventLoop(
  tables: Readonly<Record<TableName, MembershipReplica>>,
  shares: ReadonlyMap<string, readonly string[]>,
  request: CheckRequest,
  probes: readonly ListProbe[],
): boolean {
  for (const probe of probes) if (tables.lists.mightContain(probe.kind, probe.value)) return true;
  if (mightBeFlaggedIn(tables.rings, request.sellerId, nodesOf(ringAttributes(request)))) return true;
  if (mightHaveIn(tables.decided, request.listingId)) return true;
  return shares.has(request.sellerId);
}
