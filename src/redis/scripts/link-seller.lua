-- Links a seller with its identity attributes in the ring graph (union-find with
-- union by size and path compression). Every key shares the `{rings}` hash tag of
-- ARGV[1], so the script is one slot on a Redis Cluster.
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
-- ARGV[3]  now (ms since the epoch)
-- ARGV[4]  listing id ('' for a shop-opening check)
-- ARGV[5]  region ('' when not known)
-- ARGV[6]  the ring channel, where nodes newly in a ring with a confirmed seller are announced
-- ARGV[7..] attribute nodes (`phone:<hash>`, `device:<id>`, ...)
-- Needs lib/ring-flags.lua.
-- Returns the ring as it is after linking: its root node, how many of its members
-- are confirmed counterfeit sellers, whether the seller is one, how many members
-- it has, and the nodes this call flagged (lib/ring-flags.lua).
local p = ARGV[1]
local parent = p .. 'parent'
local size = p .. 'size'
local newlyFlagged = {}

local function find(node)
  local root = node
  local hops = {}
  while true do
    local up = redis.call('HGET', parent, root)
    if not up then break end
    hops[#hops + 1] = root
    root = up
  end
  for i = 1, #hops - 1 do
    redis.call('HSET', parent, hops[i], root)
  end
  return root
end

local function merge(a, b)
  local ra, rb = find(a), find(b)
  if ra == rb then return ra end
  local sa = tonumber(redis.call('HGET', size, ra) or '1')
  local sb = tonumber(redis.call('HGET', size, rb) or '1')
  -- Joining a ring with a confirmed seller flags every node of the other side.
  local ca, cb = isConfirmedRing(p, ra), isConfirmedRing(p, rb)
  if ca and not cb then flagRing(p, rb, newlyFlagged) elseif cb and not ca then flagRing(p, ra, newlyFlagged) end
  if sa < sb then ra, rb = rb, ra end
  redis.call('HSET', parent, rb, ra)
  redis.call('HSET', size, ra, sa + sb)
  redis.call('HDEL', size, rb)
  for _, set in ipairs({ 'members:', 'attrs:', 'confirmed:' }) do
    if redis.call('EXISTS', p .. set .. rb) == 1 then
      redis.call('SUNIONSTORE', p .. set .. ra, p .. set .. ra, p .. set .. rb)
      redis.call('DEL', p .. set .. rb)
    end
  end
  return ra
end

local seller = 's:' .. ARGV[2]
local now = ARGV[3]
local info = p .. 'seller:' .. ARGV[2]
if redis.call('HSETNX', info, 'firstSeen', now) == 1 then
  local root = find(seller)
  redis.call('SADD', p .. 'members:' .. root, ARGV[2])
end
redis.call('HSET', info, 'lastSeen', now)
if ARGV[4] ~= '' then
  redis.call('ZADD', p .. 'listings:' .. ARGV[2], now, ARGV[4])
  redis.call('ZREMRANGEBYRANK', p .. 'listings:' .. ARGV[2], 0, -501)
end
if ARGV[5] ~= '' then
  redis.call('SADD', p .. 'regions:' .. ARGV[2], ARGV[5])
end
local root = find(seller)
for i = 7, #ARGV do
  local attr = 'a:' .. ARGV[i]
  redis.call('SADD', p .. 'seller-attrs:' .. ARGV[2], ARGV[i])
  redis.call('SADD', p .. 'attr-sellers:' .. ARGV[i], ARGV[2])
  local ar = find(attr)
  redis.call('SADD', p .. 'attrs:' .. ar, ARGV[i])
  root = merge(root, attr)
end
local announced = announceFlags(ARGV[6], newlyFlagged)
return {
  root,
  redis.call('SCARD', p .. 'confirmed:' .. root),
  redis.call('SISMEMBER', p .. 'confirmed:' .. root, ARGV[2]),
  redis.call('SCARD', p .. 'members:' .. root),
  announced,
}
