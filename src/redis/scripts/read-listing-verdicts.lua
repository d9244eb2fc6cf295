-- The verdict records and newest compact allow records of many listings
-- (read-listing-verdict.lua's answer for each), for a re-check batch: one call
-- instead of one per listing. On a Redis Cluster the caller sends only listings
-- of one verdict shard.
-- KEYS[i]  the verdict record of the i-th listing
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  the window allow records are kept (ms)
-- ARGV     then 2 values per listing, in KEYS order: listing id, its bucket hash
-- Needs lib/allow-records.lua.
-- Returns, per listing in KEYS order, two items: the record's fields and values,
-- the packed allow record or false.
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local periodsOf = {}
local out = {}
for i, key in ipairs(KEYS) do
  local listingId, bucketHash = ARGV[2 + (i - 1) * 2 + 1], tonumber(ARGV[2 + (i - 1) * 2 + 2])
  -- KEYS[i] is `<shard>v:<listing id>`; the shard's allow records are under `<shard>a:`.
  local a = string.sub(key, 1, #key - #listingId - 2) .. 'a:'
  -- A batch holds many listings of each shard: its periods are read once.
  local periods = periodsOf[a]
  if not periods then
    periods = allowPeriods(a, now, window)
    periodsOf[a] = periods
  end
  local newest = nil
  for _, period in ipairs(periods) do
    local packed = redis.call('HGET', a .. period[1] .. ':' .. period[3] .. ':' .. (bucketHash % period[3]), listingId)
    if packed and (not newest or allowMillis(packed) > allowMillis(newest)) then newest = packed end
  end
  out[#out + 1] = redis.call('HGETALL', key)
  out[#out + 1] = newest or false
end
return out
