-- A spooled review item replayed after a reviewer had already decided the same
-- listing content: the caller was told this item's id while Redis was away, so the
-- id must lead somewhere. The item is recorded as decided by that earlier
-- decision, and the decision is appended to the decisions stream, so that the
-- listing's verdict is recorded and the marketplace hears it (webhook) as for
-- any decision. Idempotent: nothing happens when the item exists already.
-- KEYS[1]  item hash
-- KEYS[2]  decisions stream
-- KEYS[3]  the listing's review items (lib/open-items.lua)
-- ARGV[1]  reviewId
-- ARGV[2]  listingId
-- ARGV[3]  decision: block | allow
-- ARGV[4]  decision id
-- ARGV[5]  now (ISO 8601, UTC)
-- ARGV[6]  now in milliseconds since the epoch
-- ARGV[7]  tier
-- ARGV[8]  source
-- ARGV[9]  context (JSON)
-- ARGV[10] seconds the item and the listing's review items are kept after a decision
-- Needs lib/open-items.lua.
-- Returns 1 when recorded now, 0 when the item existed.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local note = 'the same listing content was decided while this item waited in the spool'
redis.call('HSET', KEYS[1], 'reviewId', ARGV[1], 'listingId', ARGV[2], 'tier', ARGV[7], 'source', ARGV[8], 'context', ARGV[9],
  'createdAt', ARGV[5], 'status', 'decided', 'decision', ARGV[3], 'decidedBy', 'earlier-decision', 'decidedAt', ARGV[5],
  'decidedAtMs', ARGV[6], 'decisionId', ARGV[4], 'note', note)
-- Decided at once: kept for the retention window, as decide-review.lua keeps a decided item.
redis.call('EXPIRE', KEYS[1], ARGV[10])
closeItem(KEYS[3], ARGV[1])
keepClosedFor(KEYS[3], ARGV[10])
redis.call('XADD', KEYS[2], '*', 'type', 'decision', 'decisionId', ARGV[4], 'reviewId', ARGV[1], 'listingId', ARGV[2],
  'decision', ARGV[3], 'reviewer', 'earlier-decision', 'note', note, 'confirm', '{}', 'at', ARGV[5])
return 1
