-- Writes the gate's record of a check unless the listing's stored record is newer:
-- the record waits a few milliseconds to be written with others, and a reviewer's
-- decision or a takedown about the same listing may land meanwhile.
-- KEYS[1]  the listing's verdict hash
-- ARGV[1]  the record's decidedAt (ISO 8601 in UTC, so it compares as text)
-- ARGV[2..] field, value pairs of the record
-- Returns 1 when written, 0 when the stored record was newer.
local stored = redis.call('HGET', KEYS[1], 'decidedAt')
if stored and stored > ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
