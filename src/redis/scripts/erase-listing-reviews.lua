-- Erases what the review family holds about a listing (src/erasure/listing-erasure.ts),
-- in one step: its review items (those its items index and open set name, and those
-- the caller names from its verdict record), each item's current stream entry
-- (acknowledged first), its cluster index memberships and content keys, and the
-- listing's own keys: open items, decision version, items index, its place among the
-- listings a person decided (announced, so every instance's table asks Redis again).
-- KEYS[1]  the listing's review items (lib/open-items.lua)
-- ARGV[1]  listing id
-- ARGV[2]  key prefix of review items (a reviewId is appended)
-- ARGV[3]  the same key (earlier versions kept a listing's open items apart)
-- ARGV[4]  the listing's decision version
-- ARGV[5]  listings a person decided (a sorted set)
-- ARGV[6]  channel announcing a listing a person decided
-- ARGV[7]  key prefix of the cluster index
-- ARGV[8]  key prefix of the listing's dedupe keys (a content hash is appended)
-- ARGV[9]  key prefix of the listing's decided keys (a content hash is appended)
-- ARGV[10] the reviewers' consumer group
-- ARGV[11] N, then ARGV[12..11+N]: more reviewIds to look at; the rest: content hashes
-- Needs lib/review-item-keys.lua, lib/review-cluster-index.lua and lib/open-items.lua.
-- Returns { counts, items }: counts are { items, content keys, listing keys, cluster
-- memberships, stream entries, decided listings }; items, one per item erased:
-- { reviewId, status, stream, createdAt, decidedAtMs, decidedAt, decisionId, sellerId, context }.
local listingId = ARGV[1]
local candidates, seen, isIndexed = {}, {}, {}
local function consider(id, indexed)
  if not seen[id] then
    seen[id] = true
    candidates[#candidates + 1] = id
  end
  if indexed then isIndexed[id] = true end
end
for _, id in ipairs(listingItems(KEYS[1])) do consider(id, true) end
local extra = tonumber(ARGV[11])
for i = 12, 11 + extra do consider(ARGV[i], false) end

local counts = { 0, 0, 0, 0, 0, 0 }
local erased = {}
local contents = {}
for i = 12 + extra, #ARGV do contents[ARGV[i]] = true end

for _, reviewId in ipairs(candidates) do
  local item = ARGV[2] .. reviewId
  local f = redis.call('HMGET', item, 'listingId', 'aliasOf', 'status', 'entryId', 'contentHash', 'clusterKeys', 'createdAt', 'decidedAtMs', 'decidedAt', 'decisionId', 'sellerId', 'context')
  if f[1] == listingId then
    local itemKeys = reviewItemKeys(item)
    if f[4] then
      redis.call('XACK', itemKeys.stream, ARGV[10], f[4])
      counts[5] = counts[5] + redis.call('XDEL', itemKeys.stream, f[4])
    end
    for _, key in ipairs(unpackClusterKeys(f[6])) do counts[4] = counts[4] + redis.call('ZREM', ARGV[7] .. key, reviewId) end
    counts[2] = counts[2] + redis.call('DEL', itemKeys.dedupe, itemKeys.decided)
    -- A complaint's, appeal's or report's content key is `<hash>:<kind>:<id>`; its decision also stood for `<hash>`.
    if f[5] then
      contents[f[5]] = true
      contents[string.match(f[5], '^[^:]*')] = true
    end
    counts[1] = counts[1] + redis.call('DEL', item)
    erased[#erased + 1] = { reviewId, f[3] or '', itemKeys.stream, f[7] or '', f[8] or '', f[9] or '', f[10] or '', f[11] or '', f[12] or '' }
  elseif f[2] and not f[1] and isIndexed[reviewId] then
    -- An alias a spooled item's caller was told (enqueue-review.lua): nothing but the id it stands for.
    counts[1] = counts[1] + redis.call('DEL', item)
  end
end
for content in pairs(contents) do
  if content ~= '' then counts[2] = counts[2] + redis.call('DEL', ARGV[8] .. content, ARGV[9] .. content) end
end
counts[3] = redis.call('DEL', KEYS[1], ARGV[3], ARGV[4])
if redis.call('ZREM', ARGV[5], listingId) == 1 then
  counts[6] = 1
  redis.call('PUBLISH', ARGV[6], listingId)
end
return { counts, erased }
