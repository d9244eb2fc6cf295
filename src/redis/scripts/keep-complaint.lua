-- Writes a complaint (src/rights-holder/complaint-desk.ts) and the keys that find
-- it, in one step: the holder's index (complaint id by filing time) and, while the
-- complaint is open, the holder's open complaint on the listing. An open complaint
-- has no end (like its review item, bounded by what reviewers keep up with); a
-- settled one expires the retention window after it was settled. The index drops
-- complaints that expired: only those filed before the window can have.
-- KEYS[1]  the complaint
-- KEYS[2]  the holder's complaints (sorted set: complaint id -> filed at, ms)
-- KEYS[3]  the holder's open complaint on the listing (value: its id)
-- ARGV[1]  complaint id
-- ARGV[2]  the complaint (JSON)
-- ARGV[3]  'file', 'reopen' (an undo made it open again) or 'settle'
-- ARGV[4]  filed at, ms since the epoch
-- ARGV[5]  seconds a settled complaint is kept (GATE_RETENTION_DAYS)
-- ARGV[6]  now, ms since the epoch
-- ARGV[7]  key prefix of complaints (a complaint id is appended)
-- Returns the number of complaints dropped from the index.
if ARGV[3] == 'settle' then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[5])
  if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
  -- Reopened: a complaint filed on the listing since then stays the open one.
  if ARGV[3] == 'file' then redis.call('SET', KEYS[3], ARGV[1]) else redis.call('SET', KEYS[3], ARGV[1], 'NX') end
end
-- At most 1,000 at a write, oldest first: what the window kept stays listed.
local before = tonumber(ARGV[6]) - tonumber(ARGV[5]) * 1000
local dropped = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], '-inf', '(' .. before, 'BYSCORE', 'LIMIT', 0, 1000)) do
  if redis.call('EXISTS', ARGV[7] .. id) == 0 then dropped = dropped + redis.call('ZREM', KEYS[2], id) end
end
return dropped
