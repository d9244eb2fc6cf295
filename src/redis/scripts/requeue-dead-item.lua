-- Puts a dead review item back in the queue (an admin's requeue): a new entry in
-- its tier's stream with the listing and reasons of its dead letter, pending again
-- with its cluster memberships and open place, and its letter taken. One script,
-- so that it cannot cross a lapse or drop of the same item (lapse-dead-items.lua):
-- whichever comes first takes the letter, and the other finds the item not dead.
-- KEYS[1]  the item hash
-- KEYS[2]  review dead letters (stream)
-- ARGV[1]  the item's dead letter id
-- ARGV[2]  the listing, packed as a stream entry keeps it (stored-listing.ts; '' when none was kept)
-- ARGV[3]  the reasons, packed (packed-reasons.ts)
-- ARGV[4]  key prefix of a listing's review items (lib/open-items.lua; the listingId is appended)
-- ARGV[5]  key prefix of the cluster index
-- Needs lib/review-cluster-index.lua, lib/review-item-keys.lua and lib/open-items.lua.
-- Returns { 'ok', new stream entry id } or { 'error', code }
local item = KEYS[1]
local state = redis.call('HMGET', item, 'status', 'deadLetter', 'reviewId', 'listingId')
if not state[1] then return { 'error', 'not_found' } end
if state[1] == 'lapsed' then return { 'error', 'lapsed' } end
if state[1] ~= 'dead' then return { 'error', 'not_dead' } end
if state[2] and state[2] ~= ARGV[1] then return { 'error', 'not_dead' } end
if #redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1]) == 0 then return { 'error', 'no_dead_letter' } end
local reviewId = state[3]
local itemKeys = reviewItemKeys(item)
local entryId = redis.call('XADD', itemKeys.stream, '*', 'reviewId', reviewId, 'listing', ARGV[2], 'reasons', ARGV[3])
redis.call('HSET', item, 'status', 'pending', 'entryId', entryId)
redis.call('HDEL', item, 'deadLetter')
indexCluster(ARGV[5], item, reviewId, true)
addOpenItem(ARGV[4] .. state[4], reviewId)
redis.call('SET', itemKeys.dedupe, reviewId, 'NX')
redis.call('XDEL', KEYS[2], ARGV[1])
return { 'ok', entryId }
