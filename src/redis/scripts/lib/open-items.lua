-- Library of the review scripts: a listing's review items (`{review}:open:<listing>`),
-- a sorted set of review ids scored 0 while the item is open (pending) and 1 once
-- closed (decided, superseded, or an alias). A decision closes the listing's open
-- items; an erasure finds every item through it. Kept while an item is open, and
-- the retention window after the last decision. Redis 7.0 keeps a small sorted set
-- as a listpack where a set of strings is a hash table (about 230 bytes for one
-- member). Earlier versions kept the open items alone, as a set: it answers a
-- sorted-set command with WRONGTYPE, and is then turned into a sorted set.

local function asSortedSet(key)
  local members = redis.call('SMEMBERS', key)
  redis.call('DEL', key)
  for _, member in ipairs(members) do redis.call('ZADD', key, 0, member) end
end

local function scoreItem(key, reviewId, score)
  local added = redis.pcall('ZADD', key, score, reviewId)
  if type(added) == 'table' and added.err then
    asSortedSet(key)
    added = redis.call('ZADD', key, score, reviewId)
  end
  return added
end

local function addOpenItem(key, reviewId)
  scoreItem(key, reviewId, 0)
  redis.call('PERSIST', key)
end

local function closeItem(key, reviewId)
  scoreItem(key, reviewId, 1)
end

-- Every item of the listing, open or closed.
local function listingItems(key)
  local members = redis.pcall('ZRANGE', key, 0, -1)
  if members.err then return redis.call('SMEMBERS', key) end
  return members
end

-- The index expires a retention window after the last decision, unless an item is still open.
local function keepClosedFor(key, seconds)
  if #redis.call('ZRANGE', key, 0, 0, 'BYSCORE', 'LIMIT', 0, 1) == 0 then redis.call('EXPIRE', key, seconds) end
end
