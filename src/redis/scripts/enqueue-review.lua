-- Appends a review item unless the same listing content is already queued or
-- was already decided by a reviewer, and indexes a new item under its cluster
-- keys (LSH band buckets of its text, its image hashes) with what a claim
-- compares on it. One script, so that a review verdict waits for one write (and,
-- under appendfsync always, one fsync) and no item is ever queued unindexed.
-- KEYS[1]  dedupe key (listingId + content hash), value: the reviewId
-- KEYS[2]  review stream of the item's tier
-- KEYS[3]  item hash prefix (the reviewId is appended)
-- KEYS[4]  decided key (listingId + content hash), value: the reviewer's decision
-- KEYS[5]  the listing's review items (lib/open-items.lua: deciding one closes the others open)
-- KEYS[6..] cluster sets (none when the listing has no cluster key)
-- ARGV[1]  reviewId to use if the item is new
-- ARGV[2]  tier name
-- ARGV[3]  cluster keys (review-cluster.ts packClusterKeys)
-- ARGV[4]  text the cluster compares
-- ARGV[5]  image hashes (JSON; '' for none)
-- ARGV[6]  seconds a closed item is kept (GATE_RETENTION_DAYS): an alias of one is kept as long
-- ARGV[7..] field, value pairs of the item (must include listingId, contentHash, priority; listing and reasons go to the stream entry)
-- Needs lib/open-items.lua.
-- Returns { reviewId, 1 if added now / 0 if already queued, decision or '' }
-- Called with no keys it does nothing: a check thread loads the script before its
-- first item (ReviewQueue.loadScripts; the gate's ACL has no SCRIPT LOAD).
if #KEYS == 0 then
  return false
end
local decided = redis.call('GET', KEYS[4])
if decided then
  return { '', 0, decided }
end
local existing = redis.call('GET', KEYS[1])
if existing then
  -- A caller told another id (a spooled item replayed after the same content was
  -- queued) finds the item through it.
  if ARGV[1] ~= existing then
    local alias = KEYS[3] .. ARGV[1]
    redis.call('HSETNX', alias, 'aliasOf', existing)
    -- It lives as long as the item it names: no end while that one is pending (its
    -- decision gives both the retention window, decide-review.lua), else the window.
    if redis.call('HGET', alias, 'aliasOf') == existing then
      if redis.call('HGET', KEYS[3] .. existing, 'status') == 'pending' then redis.call('PERSIST', alias) else redis.call('EXPIRE', alias, ARGV[6]) end
    end
    closeItem(KEYS[5], ARGV[1])
  end
  return { existing, 0, '' }
end
-- The stream entry carries what only it keeps (the listing as checked, the reasons);
-- the item hash has the rest, and a claim reads both.
local fields = { 'reviewId', ARGV[1] }
for i = 7, #ARGV, 2 do
  if ARGV[i] == 'listing' or ARGV[i] == 'reasons' then
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i + 1]
  end
end
local entryId = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('SET', KEYS[1], ARGV[1])
addOpenItem(KEYS[5], ARGV[1])
-- The item's stream, dedupe and decided keys follow from its tier, listing and content hash (lib/review-item-keys.lua).
local item = { 'reviewId', ARGV[1], 'entryId', entryId, 'tier', ARGV[2], 'status', 'pending' }
for i = 7, #ARGV, 2 do
  if ARGV[i] ~= 'listing' and ARGV[i] ~= 'reasons' then
    item[#item + 1] = ARGV[i]
    item[#item + 1] = ARGV[i + 1]
  end
end
if #KEYS > 5 then
  for i = 6, #KEYS do
    redis.call('ZADD', KEYS[i], 0, ARGV[1])
  end
  -- An empty one is left out (no image hashes: readers take a missing field as none).
  for _, pair in ipairs({ { 'clusterKeys', ARGV[3] }, { 'text', ARGV[4] }, { 'phashes', ARGV[5] } }) do
    if pair[2] ~= '' then
      item[#item + 1] = pair[1]
      item[#item + 1] = pair[2]
    end
  end
end
redis.call('HSET', KEYS[3] .. ARGV[1], unpack(item))
return { ARGV[1], 1, '' }
