-- Writes the gate's compact records of allowed listings (src/review/allow-record.ts),
-- each unless its listing's verdict record is newer or is a person's verdict (the
-- gate never replaces what a person decided), or a newer allow record of the
-- listing is already there (another instance's later check).
-- On a Redis Cluster the caller sends only listings of one verdict shard.
-- KEYS[i]  the verdict record of the i-th listing
-- ARGV[1]  the bucket count of new records (GATE_ALLOW_RECORD_BUCKETS)
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  the window records are kept (ms)
-- ARGV[4]  the length of a period (ms)
-- ARGV     then 6 values per record, in KEYS order: the allow prefix of its shard,
--          listing id, bucket hash, the start of its period (ms), the packed
--          record, seconds its period's bucket is kept
-- Needs lib/allow-records.lua.
-- Returns, per record in KEYS order: 1 written, 0 not (something newer is there).
-- An existing verdict record of the listing gets `allowedAt`, the allow's time.
local buckets = ARGV[1]
local now, window, length = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local STRIDE = 6
local outcome = {}
for i, key in ipairs(KEYS) do
  local base = 4 + (i - 1) * STRIDE
  local a, listingId, bucketHash, start, packed, ttl = ARGV[base + 1], ARGV[base + 2], tonumber(ARGV[base + 3]), ARGV[base + 4], ARGV[base + 5], ARGV[base + 6]
  local millis = allowMillis(packed)
  local stored = redis.call('HMGET', key, 'decidedAt', 'decidedBy')
  local byPerson = stored[2] and stored[2] ~= '' and stored[2] ~= 'gate'
  outcome[i] = 0
  if not byPerson and (not stored[1] or isoMillis(stored[1]) <= millis) then
    local bucket = a .. start .. ':' .. buckets .. ':' .. (bucketHash % tonumber(buckets))
    local previous = redis.call('HGET', bucket, listingId)
    if not previous or allowMillis(previous) <= millis then
      redis.call('HSET', bucket, listingId, packed)
      redis.call('EXPIRE', bucket, ttl)
      -- The listing's full record learns that an allow came after it (record-verdicts-unless-newer.lua reads it).
      if stored[1] then redis.call('HSET', key, 'allowedAt', millis) end
      if redis.call('HSETNX', a .. 'periods', start .. ':' .. length .. ':' .. buckets, '1') == 1 then
        -- A new period: the index lives as long as its newest bucket, and forgets those gone.
        redis.call('EXPIRE', a .. 'periods', ttl)
        local kept = {}
        for _, period in ipairs(allowPeriods(a, now, window)) do kept[period[1] .. ':' .. period[2] .. ':' .. period[3]] = true end
        for _, field in ipairs(redis.call('HKEYS', a .. 'periods')) do
          if not kept[field] then redis.call('HDEL', a .. 'periods', field) end
        end
      end
      outcome[i] = 1
    end
  end
end
return outcome
