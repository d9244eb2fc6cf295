-- Writes a listing's verdict as a person's decision (or its undo) left it, unless
-- the stored record is of a later decision: effects are applied at least once and
-- not always in order (an instance's sweep may apply an older entry late), and a
-- stale one must not reverse a newer decision.
-- KEYS[1]  the listing's verdict hash
-- ARGV[1]  the decision's version ('' for a record with none, written as is)
-- ARGV[2]  seconds the record is kept (its verdict's retention window)
-- ARGV[3..] field, value pairs: an empty value removes the field (a new record never
--          keeps an older one's reviewId or complaint); listingId is not kept, the key names it
-- Returns 1 when written, 0 when the stored record is newer.
local version = ARGV[1]
if version ~= '' then
  local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') or 0
  if stored > tonumber(version) then return 0 end
end
local pairs = {}
local empty = {}
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    empty[#empty + 1] = ARGV[i]
  elseif ARGV[i] ~= 'listingId' then
    pairs[#pairs + 1] = ARGV[i]
    pairs[#pairs + 1] = ARGV[i + 1]
  end
end
if #empty > 0 then redis.call('HDEL', KEYS[1], unpack(empty)) end
if version ~= '' then
  pairs[#pairs + 1] = 'version'
  pairs[#pairs + 1] = version
end
redis.call('HSET', KEYS[1], unpack(pairs))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
