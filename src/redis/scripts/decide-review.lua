-- Records a reviewer's decision on a claimed item, atomically: the item must be
-- pending, claimed by this reviewer, with its lease still running. Acknowledges
-- the stream entry, marks the content decided, and appends the decision to the
-- decisions stream (which the effects worker applies: verdict, lists, banks,
-- webhook).
-- KEYS[1]  item hash
-- KEYS[2]  decisions stream
-- KEYS[3]  listings a person decided (sorted set: listingId by ms; the check path mirrors it)
-- ARGV[1]  group name
-- ARGV[2]  reviewer (consumer name)
-- ARGV[3]  lease in milliseconds
-- ARGV[4]  decision: block | allow
-- ARGV[5]  decision id
-- ARGV[6]  note
-- ARGV[7]  confirmations (JSON)
-- ARGV[8]  now (ISO 8601, UTC)
-- ARGV[9]  ownership: '0' the reviewer must hold the item; '1' an admin may decide
--          any pending item; '2' (a cluster decision) the item must not be held
--          by another reviewer whose lease still runs
-- ARGV[10] now in milliseconds since the epoch
-- ARGV[11] key prefix of a listing's review items (lib/open-items.lua; the listingId is appended)
-- ARGV[12] key prefix of a listing's decision version (the listingId is appended)
-- ARGV[13] key prefix of review items (a reviewId is appended)
-- ARGV[14] seconds a listing's version and decided content are kept
-- ARGV[15] channel announcing a listing a person decided
-- ARGV[16] key prefix of decided content (listingId, ':' and the content hash are appended)
-- ARGV[17] key prefix of the cluster index
-- Needs lib/review-cluster-index.lua, lib/review-item-keys.lua and lib/open-items.lua.
-- The listing's other open items are closed as superseded by this decision (a
-- reviewer deciding one later gets already_decided): a person's decision on a
-- listing is not reversed by an older item of the same listing. The listing's
-- version goes up by one and is on the decision entry (webhooks' sequence).
-- Returns { 'ok', decisionId, decisionEntryId } or { 'error', code }
local item = KEYS[1]
local status = redis.call('HGET', item, 'status')
if not status then return { 'error', 'not_found' } end
if status == 'superseded' then return { 'error', 'superseded' } end
if status == 'lapsed' then return { 'error', 'lapsed' } end
if status ~= 'pending' then return { 'error', 'already_decided' } end
local itemKeys = reviewItemKeys(item)
local stream = itemKeys.stream
local entryId = redis.call('HGET', item, 'entryId')
local pending = redis.call('XPENDING', stream, ARGV[1], entryId, entryId, 1)
if ARGV[9] == '0' then
  if #pending == 0 then return { 'error', 'not_claimed' } end
  local owner = pending[1][2]
  local idle = tonumber(pending[1][3])
  if owner ~= ARGV[2] then return { 'error', 'claimed_by_another' } end
  if idle > tonumber(ARGV[3]) then return { 'error', 'lease_expired' } end
elseif ARGV[9] == '2' and #pending > 0 then
  if pending[1][2] ~= ARGV[2] and tonumber(pending[1][3]) <= tonumber(ARGV[3]) then return { 'error', 'claimed_by_another' } end
end
redis.call('XACK', stream, ARGV[1], entryId)
indexCluster(ARGV[17], item, redis.call('HGET', item, 'reviewId'), false)
redis.call('HSET', item, 'status', 'decided', 'decision', ARGV[4], 'decidedBy', ARGV[2], 'decidedAt', ARGV[8], 'decidedAtMs', ARGV[10], 'decisionId', ARGV[5])
-- A decided item is kept for the retention window (its content's decided key and version too); an undo keeps it again.
redis.call('EXPIRE', item, ARGV[14])
redis.call('EXPIRE', itemKeys.dedupe, ARGV[14])
redis.call('SET', itemKeys.decided, ARGV[4], 'EX', ARGV[14])
local reviewId = redis.call('HGET', item, 'reviewId')
local listingId = redis.call('HGET', item, 'listingId')
local openKey = ARGV[11] .. listingId
local superseded = {}
for _, other in ipairs(listingItems(openKey)) do
  local otherItem = ARGV[13] .. other
  if other ~= reviewId and redis.call('HGET', otherItem, 'status') == 'pending' then
    redis.call('HSET', otherItem, 'status', 'superseded', 'supersededBy', reviewId, 'decidedAt', ARGV[8])
    indexCluster(ARGV[17], otherItem, other, false)
    redis.call('EXPIRE', otherItem, ARGV[14])
    local otherKeys = reviewItemKeys(otherItem)
    local otherEntry = redis.call('HGET', otherItem, 'entryId')
    if otherEntry then redis.call('XACK', otherKeys.stream, ARGV[1], otherEntry) end
    if redis.call('GET', otherKeys.dedupe) == other then redis.call('DEL', otherKeys.dedupe) end
    superseded[#superseded + 1] = other
  end
end
closeItem(openKey, reviewId)
local closedNow = { [reviewId] = true }
for _, other in ipairs(superseded) do
  closeItem(openKey, other)
  closedNow[other] = true
end
-- Aliases (enqueue-review.lua) of the items closed now are kept as long as those.
for _, member in ipairs(listingItems(openKey)) do
  local target = redis.call('HGET', ARGV[13] .. member, 'aliasOf')
  if target and closedNow[target] then redis.call('EXPIRE', ARGV[13] .. member, ARGV[14]) end
end
keepClosedFor(openKey, ARGV[14])
-- A complaint's, appeal's or report's item has its own content key (<hash>:<kind>:<id>);
-- the decision stands for the listing's content itself too, which a check looks up.
local contentHash = redis.call('HGET', item, 'contentHash') or ''
local listingContent = string.match(contentHash, '^[^:]+')
if listingContent then redis.call('SET', ARGV[16] .. listingId .. ':' .. listingContent, ARGV[4], 'EX', ARGV[14]) end
redis.call('ZADD', KEYS[3], ARGV[10], listingId)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tostring(tonumber(ARGV[10]) - tonumber(ARGV[14]) * 1000))
redis.call('PUBLISH', ARGV[15], listingId)
local versionKey = ARGV[12] .. listingId
local version = redis.call('INCR', versionKey)
redis.call('EXPIRE', versionKey, ARGV[14])
local decisionEntry = redis.call('XADD', KEYS[2], '*', 'type', 'decision', 'decisionId', ARGV[5], 'reviewId', reviewId,
  'listingId', listingId, 'decision', ARGV[4], 'reviewer', ARGV[2], 'note', ARGV[6],
  'confirm', ARGV[7], 'at', ARGV[8], 'entryId', entryId, 'stream', stream, 'version', tostring(version),
  'superseded', table.concat(superseded, ','), 'contentHash', listingContent or '')
return { 'ok', ARGV[5], decisionEntry }
