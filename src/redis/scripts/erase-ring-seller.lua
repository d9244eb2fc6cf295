-- Erases a seller from the ring graph (src/erasure/seller-erasure.ts), in one step:
-- its own keys (when it was seen, its attributes, listings and regions), its place
-- among the sellers of each of its attributes (an attribute no other seller has
-- leaves the graph with it), and its ring, which is taken apart and linked again
-- from the other members' own attributes: without the seller it may be several
-- rings, each flagged again when it has a confirmed member.
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
-- ARGV[3]  the ring channel, where nodes newly in a ring with a confirmed seller are announced
-- Needs lib/ring-flags.lua and lib/link-seller.lua.
-- Returns { the seller's keys deleted, its attributes no other seller has, the other
-- members of its ring linked again }.
local p, sellerId = ARGV[1], ARGV[2]
local root = ringFind(p, 's:' .. sellerId)
local members = redis.call('SMEMBERS', p .. 'members:' .. root)
local attrs = redis.call('SMEMBERS', p .. 'attrs:' .. root)
local confirmed = {}
for _, member in ipairs(redis.call('SMEMBERS', p .. 'confirmed:' .. root)) do confirmed[member] = true end

-- The ring apart: every node its own root again, the ring's sets and flags gone.
unflagRing(p, root)
for _, member in ipairs(members) do redis.call('HDEL', p .. 'parent', 's:' .. member) end
for _, attribute in ipairs(attrs) do redis.call('HDEL', p .. 'parent', 'a:' .. attribute) end
redis.call('HDEL', p .. 'size', root)
redis.call('DEL', p .. 'members:' .. root, p .. 'attrs:' .. root, p .. 'confirmed:' .. root)
redis.call('SREM', p .. 'flagged', 's:' .. sellerId)

-- The seller's own: an attribute no other seller has is the seller's alone.
local alone = 0
for _, node in ipairs(redis.call('SMEMBERS', p .. 'seller-attrs:' .. sellerId)) do
  redis.call('SREM', p .. 'attr-sellers:' .. node, sellerId)
  if redis.call('EXISTS', p .. 'attr-sellers:' .. node) == 0 then
    alone = alone + 1
    redis.call('SREM', p .. 'flagged', 'a:' .. node)
  end
end
local deleted = redis.call('DEL', p .. 'seller:' .. sellerId, p .. 'seller-attrs:' .. sellerId, p .. 'listings:' .. sellerId, p .. 'regions:' .. sellerId)

-- The other members linked again, each with its own attributes (lib/link-seller.lua).
local others = {}
for _, member in ipairs(members) do
  if member ~= sellerId then
    others[#others + 1] = member
    redis.call('SADD', p .. 'members:s:' .. member, member)
    if confirmed[member] then redis.call('SADD', p .. 'confirmed:s:' .. member, member) end
  end
end
for _, attribute in ipairs(attrs) do
  if redis.call('EXISTS', p .. 'attr-sellers:' .. attribute) == 1 then redis.call('SADD', p .. 'attrs:a:' .. attribute, attribute) end
end
local flagged = {}
for _, member in ipairs(others) do
  for _, node in ipairs(redis.call('SMEMBERS', p .. 'seller-attrs:' .. member)) do ringMerge(p, 's:' .. member, 'a:' .. node, flagged) end
end
local seen = {}
for _, member in ipairs(others) do
  local ring = ringFind(p, 's:' .. member)
  if not seen[ring] then
    seen[ring] = true
    if isConfirmedRing(p, ring) then flagRing(p, ring, flagged) end
  end
end
-- Nothing is flagged that was not before (a ring only comes apart); announcing what was flagged again costs a "maybe".
announceFlags(ARGV[3], flagged)
return { deleted, alone, #others }
