-- Adds a batch of increments to hash fields in one call (src/redis/hash-counters.ts).
-- On a Redis Cluster the caller sends only keys of one hash slot.
-- KEYS[i]  a hash
-- ARGV[1]  seconds each hash written to expires after this write, or 0 for never
-- ARGV     then 3 values per increment: the index of its hash in KEYS, the field, the amount
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
end
if ttl > 0 then
  for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ttl) end
end
return #KEYS
