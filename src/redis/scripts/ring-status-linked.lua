-- A seller's ring as link-seller.lua would leave it once linked with these
-- attribute nodes, read only: the publish path answers with it and the link is
-- written after the answer, with the other checks' links (seller-rings.ts). The
-- merges are simulated as link-seller.lua makes them (union by size, the ring
-- so far kept on a tie); the rings merged are disjoint, so their members and
-- confirmed sellers add up.
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
-- ARGV[3..] attribute nodes (`phone:<hash>`, `device:<id>`, ...)
-- Returns ring-status.lua's answer for the ring after the link: its root, how
-- many of its members are confirmed counterfeit sellers, whether the seller is
-- one, how many members it has.
local p = ARGV[1]
local sellerId = ARGV[2]
local function find(node)
  local root = node
  while true do
    local up = redis.call('HGET', p .. 'parent', root)
    if not up then return root end
    root = up
  end
end
local function sizeOf(root)
  return tonumber(redis.call('HGET', p .. 'size', root) or '1')
end
local root = find('s:' .. sellerId)
local size = sizeOf(root)
local rings = { root }
local seen = { [root] = true }
for i = 3, #ARGV do
  local other = find('a:' .. ARGV[i])
  if not seen[other] then
    seen[other] = true
    rings[#rings + 1] = other
    local otherSize = sizeOf(other)
    if size < otherSize then root = other end
    size = size + otherSize
  end
end
local confirmed, self, members = 0, 0, 0
for _, ring in ipairs(rings) do
  confirmed = confirmed + redis.call('SCARD', p .. 'confirmed:' .. ring)
  if redis.call('SISMEMBER', p .. 'confirmed:' .. ring, sellerId) == 1 then self = 1 end
  members = members + redis.call('SCARD', p .. 'members:' .. ring)
end
-- A seller seen for the first time joins its ring's members when it is linked.
if not redis.call('HGET', p .. 'seller:' .. sellerId, 'firstSeen') then members = members + 1 end
return { root, confirmed, self, members }
