-- Appends one record to the audit log, chained to the record before it
-- (src/audit/audit-chain.ts). The hash is an HMAC the gate computes: its key never
-- comes to Redis. The gate names the head it chained to; when another gate
-- appended since, nothing is written and the current head comes back, so the
-- gate chains to that and tries again. Appends from any number of gates stay one chain.
-- KEYS[1]  audit stream
-- KEYS[2]  key holding the hash of the last record
-- KEYS[3]  key holding the number of records ever appended (the last record's number)
-- ARGV[1]  the record as JSON (who, what, when, why)
-- ARGV[2]  the hash of the record it follows ('genesis' for the first)
-- ARGV[3]  its number: the count so far + 1
-- ARGV[4]  its hash
-- Returns { 1, entryId } when appended, { 0, head, count } when the head moved
local head = redis.call('GET', KEYS[2]) or 'genesis'
local count = redis.call('GET', KEYS[3]) or '0'
if head ~= ARGV[2] or tonumber(count) + 1 ~= tonumber(ARGV[3]) then
  return { 0, head, count }
end
local id = redis.call('XADD', KEYS[1], '*', 'record', ARGV[1], 'previous', head, 'hash', ARGV[4], 'n', ARGV[3])
redis.call('SET', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[3])
return { 1, id }
