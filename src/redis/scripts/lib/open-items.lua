-- Library of the review scripts: a listing's open items (`{review}:open:<listing>`),
-- the review ids a decision on the listing closes. A sorted set (scores unused),
-- which Redis 7.0 keeps as a listpack where a set of strings is a hash table
-- (about 230 bytes for one member). Sets written by earlier versions answer the
-- sorted-set command with WRONGTYPE, and are then read as sets.

local function addOpenItem(key, reviewId)
  local added = redis.pcall('ZADD', key, 0, reviewId)
  if type(added) == 'table' and added.err then return redis.call('SADD', key, reviewId) end
  return added
end

local function openItems(key)
  local members = redis.pcall('ZRANGE', key, 0, -1)
  if members.err then return redis.call('SMEMBERS', key) end
  return members
end
