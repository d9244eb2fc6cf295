-- Library of the ring-linking scripts (link-seller.lua, link-sellers.lua): the
-- ring graph as union-find (union by size, path compression) over the keys under
-- one prefix, which all share the `{rings}` hash tag (one slot on a Redis Cluster).
-- Needs lib/ring-flags.lua in front of it.

local function ringFind(p, node)
  local parent = p .. 'parent'
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

-- Joins the rings of `a` and `b`; joining a ring with a confirmed seller flags every
-- node of the other side (appended to `newlyFlagged`). Returns the joined root.
local function ringMerge(p, a, b, newlyFlagged)
  local ra, rb = ringFind(p, a), ringFind(p, b)
  if ra == rb then return ra end
  local size = p .. 'size'
  local sa = tonumber(redis.call('HGET', size, ra) or '1')
  local sb = tonumber(redis.call('HGET', size, rb) or '1')
  local ca, cb = isConfirmedRing(p, ra), isConfirmedRing(p, rb)
  if ca and not cb then flagRing(p, rb, newlyFlagged) elseif cb and not ca then flagRing(p, ra, newlyFlagged) end
  if sa < sb then ra, rb = rb, ra end
  redis.call('HSET', p .. 'parent', rb, ra)
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

-- Links one seller with its attribute nodes (`phone:<hash>`, ...) and records when
-- it was seen, the listing (its 500 latest are kept, none older than keepSince, ms)
-- and the region ('' for none). Returns the seller's root after linking.
local function linkSeller(p, sellerId, now, listingId, region, nodes, newlyFlagged, keepSince)
  local seller = 's:' .. sellerId
  local info = p .. 'seller:' .. sellerId
  if redis.call('HSETNX', info, 'firstSeen', now) == 1 then
    redis.call('SADD', p .. 'members:' .. ringFind(p, seller), sellerId)
  end
  redis.call('HSET', info, 'lastSeen', now)
  if listingId ~= '' then
    redis.call('ZADD', p .. 'listings:' .. sellerId, now, listingId)
    redis.call('ZREMRANGEBYRANK', p .. 'listings:' .. sellerId, 0, -501)
    redis.call('ZREMRANGEBYSCORE', p .. 'listings:' .. sellerId, '-inf', '(' .. keepSince)
  end
  if region ~= '' then
    redis.call('SADD', p .. 'regions:' .. sellerId, region)
  end
  local root = ringFind(p, seller)
  for _, node in ipairs(nodes) do
    redis.call('SADD', p .. 'seller-attrs:' .. sellerId, node)
    redis.call('SADD', p .. 'attr-sellers:' .. node, sellerId)
    redis.call('SADD', p .. 'attrs:' .. ringFind(p, 'a:' .. node), node)
    root = ringMerge(p, root, 'a:' .. node, newlyFlagged)
  end
  return root
end
