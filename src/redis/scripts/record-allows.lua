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
-- ARGV     then 3 values per record, in KEYS order: listing id, bucket hash, the
--          packed record (its shard's allow prefix, period and the period's bucket
--          lifetime follow from the key, the record's time, now and the window)
-- Needs lib/allow-records.lua.
-- Returns, per record in KEYS order: 1 written, 0 not (something newer is there).
-- An existing verdict record of the listing gets `allowedAt`, the allow's time.
local buckets = ARGV[1]
local now, window, length = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local periodMs = tonumber(length)
local STRIDE = 3
local outcome = {}
for i, key in ipairs(KEYS) do
  local base = 4 + (i - 1) * STRIDE
  local listingId, bucketHash, packed = ARGV[base + 1], tonumber(ARGV[base + 2]), ARGV[base + 3]
  local millis = allowMillis(packed)
  -- KEYS[i] is `<shard>v:<listing id>`; the shard's allow records are under `<shard>a:`.
  local a = string.sub(key, 1, #key - #listingId - 2) .. 'a:'
  local startMs = math.floor(millis / periodMs) * periodMs
  local start = string.format('%.0f', startMs)
  local ttl = math.max(1, math.ceil((startMs + periodMs - now + window) / 1000))
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
