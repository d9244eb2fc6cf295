-- Erases what a listing's verdict shard holds about it (src/erasure/listing-erasure.ts):
-- its verdict record and its compact allow records in every period the shard's
-- periods index names (lib/allow-records.lua), in one step.
-- KEYS[1]  the listing's verdict record
-- ARGV[1]  the allow prefix of its shard
-- ARGV[2]  listing id
-- ARGV[3]  its bucket hash
-- Returns { records removed (0 or 1), allow records removed, the record's fields
-- and values as they were, the packed allow records removed }: the rest of the
-- erasure follows what they name (seller, review item, complaint, content).
local fields = redis.call('HGETALL', KEYS[1])
local records = redis.call('DEL', KEYS[1])
local allows = {}
for _, period in ipairs(redis.call('HKEYS', ARGV[1] .. 'periods')) do
  local start, buckets = string.match(period, '^(%d+):%d+:(%d+)$')
  if start then
    local bucket = ARGV[1] .. start .. ':' .. buckets .. ':' .. (tonumber(ARGV[3]) % tonumber(buckets))
    local packed = redis.call('HGET', bucket, ARGV[2])
    if packed then
      redis.call('HDEL', bucket, ARGV[2])
      allows[#allows + 1] = packed
    end
  end
end
return { records, #allows, fields, allows }
