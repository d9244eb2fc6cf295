-- Appends one record to the audit log, chained: each record carries the hash of
-- the previous one, so a removed or altered record breaks the chain.
-- KEYS[1]  audit stream
-- KEYS[2]  key holding the hash of the last record
-- ARGV[1]  the record as JSON (who, what, when, why)
-- Returns { entryId, hash }
local previous = redis.call('GET', KEYS[2]) or 'genesis'
local hash = redis.sha1hex(previous .. '\n' .. ARGV[1])
local id = redis.call('XADD', KEYS[1], '*', 'record', ARGV[1], 'previous', previous, 'hash', hash)
redis.call('SET', KEYS[2], hash)
return { id, hash }
