-- A seller's ring, read only: its root, how many of its members are confirmed
-- counterfeit sellers, whether the seller itself is one, and how many members it has.
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
local p = ARGV[1]
local root = 's:' .. ARGV[2]
while true do
  local up = redis.call('HGET', p .. 'parent', root)
  if not up then break end
  root = up
end
return {
  root,
  redis.call('SCARD', p .. 'confirmed:' .. root),
  redis.call('SISMEMBER', p .. 'confirmed:' .. root, ARGV[2]),
  redis.call('SCARD', p .. 'members:' .. root),
}
