-- Marks a seller confirmed counterfeit in its ring (ARGV[3] = '1'), or clears the mark ('0').
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
-- ARGV[3]  '1' to confirm, '0' to clear
-- ARGV[4]  now (ms since the epoch)
-- ARGV[5]  the ring channel, where nodes newly in a ring with a confirmed seller are announced
-- Needs lib/ring-flags.lua.
-- Returns the ring's root node and the nodes this call flagged.
local p = ARGV[1]
local info = p .. 'seller:' .. ARGV[2]
local root = 's:' .. ARGV[2]
if redis.call('HSETNX', info, 'firstSeen', ARGV[4]) == 1 then
  redis.call('HSET', info, 'lastSeen', ARGV[4])
  redis.call('SADD', p .. 'members:' .. root, ARGV[2])
end
while true do
  local up = redis.call('HGET', p .. 'parent', root)
  if not up then break end
  root = up
end
if ARGV[3] == '1' then
  local wasConfirmed = isConfirmedRing(p, root)
  redis.call('SADD', p .. 'confirmed:' .. root, ARGV[2])
  redis.call('HSET', info, 'confirmed', ARGV[4])
  if not wasConfirmed then
    local newlyFlagged = {}
    flagRing(p, root, newlyFlagged)
    return { root, announceFlags(ARGV[5], newlyFlagged) }
  end
else
  redis.call('SREM', p .. 'confirmed:' .. root, ARGV[2])
  redis.call('HDEL', info, 'confirmed')
  if not isConfirmedRing(p, root) then unflagRing(p, root) end
end
return { root, {} }
