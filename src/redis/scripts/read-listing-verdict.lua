-- A listing's verdict record and its newest compact allow record, for the caller to
-- take the newer (src/review/listing-verdicts.ts).
-- KEYS[1]  the listing's verdict record
-- ARGV[1]  the allow prefix of its shard
-- ARGV[2]  listing id
-- ARGV[3]  its bucket hash
-- ARGV[4]  the oldest day whose allow records are kept
-- Needs lib/allow-records.lua.
-- Returns { the record's fields and values, the packed allow record or false }.
return { redis.call('HGETALL', KEYS[1]), newestAllow(ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])) or false }
