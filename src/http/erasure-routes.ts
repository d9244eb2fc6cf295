// Erasure (issue 23, point 6): an admin removes every trace of a listing, or of a
// seller and its listings, except the audit record of the erasure itself. An id the
// gate never saw is not an error: nothing is found, and the answer says so.
import type { RouteRegistrar } from './route-table.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ListingErasure } from '../erasure/listing-erasure.js';
import type { SellerErasure } from '../erasure/seller-erasure.js';
import { checkString, FieldIssues } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { route, type RouteOptions } from './route-handler.js';

export interface ErasureRouteParts {
  listings: ListingErasure;
  sellers: SellerErasure;
  audit: AuditLog;
}

/** A path parameter as a check request's id, 1 to 128 characters (route() refused a torn percent-encoding). */
function idParam(raw: string | undefined, field: 'listingId' | 'sellerId'): string {
  const issues = new FieldIssues();
  const id = checkString(issues, field, decodeURIComponent(raw ?? ''), { min: 1, max: 128, required: true });
  if (!issues.empty || id === undefined) throw invalidFieldsError(issues.list, { field });
  return id;
}

export function registerErasureRoutes(app: RouteRegistrar, p: ErasureRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' }, paramCount: 1 } as const;
  app.del(
    '/v1/admin/listings/:listingId',
    route(options(admin), async ({ head }) => {
      const listingId = idParam(head.params[0], 'listingId');
      const { erased } = await p.listings.erase([listingId]);
      await p.audit.record({ who: 'admin', what: 'erase:listing', subject: listingId, details: { erased } });
      return { listingId, erased };
    }),
  );
  app.del(
    '/v1/admin/sellers/:sellerId/data',
    route(options(admin), async ({ head }) => {
      const sellerId = idParam(head.params[0], 'sellerId');
      const erased = await p.sellers.erase(sellerId);
      // Counts only: the audit record of a seller's erasure names no listing of it.
      await p.audit.record({ who: 'admin', what: 'erase:seller', subject: sellerId, details: { erased } });
      return { sellerId, erased };
    }),
  );
}
