-- Undoes a decision within its window: the item is pending again (a new stream
-- entry, claimable by anyone), its content no longer counts as decided, and an
-- undo record goes to the decisions stream so the effects are reverted.
-- KEYS[1]  item hash
-- KEYS[2]  decisions stream
-- ARGV[1]  reviewer asking (must be the one who decided, unless ARGV[5] is '1')
-- ARGV[2]  now in milliseconds since the epoch
-- ARGV[3]  undo window in milliseconds
-- ARGV[4]  now (ISO 8601, UTC)
-- ARGV[5]  '1' when an admin asks
-- ARGV[6]  key prefix of a listing's open items (the listingId is appended)
-- ARGV[7]  key prefix of a listing's decision version (the listingId is appended)
-- ARGV[8]  seconds a listing's version is kept
-- ARGV[9]  key prefix of decided content (listingId, ':' and the content hash are appended)
-- ARGV[10] key prefix of the cluster index
-- Needs lib/review-cluster-index.lua, lib/review-item-keys.lua and lib/open-items.lua.
-- Returns { 'ok', newEntryId, decisionEntryId } or { 'error', code }
local item = KEYS[1]
local status = redis.call('HGET', item, 'status')
if not status then return { 'error', 'not_found' } end
if status ~= 'decided' then return { 'error', 'not_decided' } end
if ARGV[5] ~= '1' and redis.call('HGET', item, 'decidedBy') ~= ARGV[1] then return { 'error', 'not_yours' } end
local decidedAtMs = tonumber(redis.call('HGET', item, 'decidedAtMs') or '0')
if tonumber(ARGV[2]) - decidedAtMs > tonumber(ARGV[3]) then return { 'error', 'window_closed' } end
local itemKeys = reviewItemKeys(item)
local stream = itemKeys.stream
local old = redis.call('XRANGE', stream, redis.call('HGET', item, 'entryId'), redis.call('HGET', item, 'entryId'))
local fields = {}
if #old > 0 then fields = old[1][2] end
if #fields == 0 then fields = { 'reviewId', redis.call('HGET', item, 'reviewId'), 'listingId', redis.call('HGET', item, 'listingId') } end
local entryId = redis.call('XADD', stream, '*', unpack(fields))
redis.call('DEL', itemKeys.decided)
local previous = redis.call('HGET', item, 'decision')
local decisionId = redis.call('HGET', item, 'decisionId')
redis.call('HSET', item, 'status', 'pending', 'entryId', entryId)
redis.call('PERSIST', item)
redis.call('PERSIST', itemKeys.dedupe)
indexCluster(ARGV[10], item, redis.call('HGET', item, 'reviewId'), true)
redis.call('HDEL', item, 'decision', 'decidedBy', 'decidedAt', 'decidedAtMs', 'decisionId')
local listingId = redis.call('HGET', item, 'listingId')
local listingContent = string.match(redis.call('HGET', item, 'contentHash') or '', '^[^:]+')
if listingContent then redis.call('DEL', ARGV[9] .. listingId .. ':' .. listingContent) end
local reviewId = redis.call('HGET', item, 'reviewId')
addOpenItem(ARGV[6] .. listingId, reviewId)
-- Its aliases (enqueue-review.lua) have no end again while it is open.
local itemPrefix = string.match(item, '^(.*item:)[^:]*$')
for _, member in ipairs(listingItems(ARGV[6] .. listingId)) do
  if redis.call('HGET', itemPrefix .. member, 'aliasOf') == reviewId then redis.call('PERSIST', itemPrefix .. member) end
end
local versionKey = ARGV[7] .. listingId
local version = redis.call('INCR', versionKey)
redis.call('EXPIRE', versionKey, ARGV[8])
local decisionEntry = redis.call('XADD', KEYS[2], '*', 'type', 'undo', 'decisionId', decisionId, 'reviewId', redis.call('HGET', item, 'reviewId'),
  'listingId', listingId, 'decision', previous, 'reviewer', ARGV[1], 'at', ARGV[4], 'version', tostring(version))
return { 'ok', entryId, decisionEntry }
