-- Creates a re-check job (issue 25, point 3, docs/rechecks.md) over a stream of
-- listings: its total and last entry are read here, in the same script that
-- writes the job, so that entries appended later are not part of it.
-- KEYS[1]  the job's hash
-- KEYS[2]  the jobs index (sorted set: job id -> created, ms)
-- KEYS[3]  the source stream (the admin's, or the job's upload stream)
-- KEYS[4]  the job's scope (a string: what the change that started it changed)
-- ARGV[1]  job id
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  seconds the job is kept after its last change (GATE_RETENTION_DAYS)
-- ARGV[4]  onlyChanged ('1' or '0')
-- ARGV[5]  source kind ('stream' or 'upload')
-- ARGV[6]  what started the job (JSON, e.g. {"by":"list:add:sellers"}), or ''
-- ARGV[7]  the scope (JSON, recheck-scope.ts), or '' for a job over every listing
-- ARGV[8]  the scope's summary for the job's view (JSON), or ''
-- Returns { total, last entry id } ('0-0' for an empty stream).
local total = redis.call('XLEN', KEYS[3])
local last = '0-0'
local newest = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
if #newest > 0 then last = newest[1][1] end
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local state = 'running'
if total == 0 then state = 'done' end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', state, 'createdAt', ARGV[2], 'updatedAt', ARGV[2],
  'sourceKind', ARGV[5], 'source', KEYS[3], 'endId', last, 'total', total, 'done', 0, 'cursor', '0-0',
  'onlyChanged', ARGV[4], 'trigger', ARGV[6], 'rate', 0, 'scope', ARGV[8], 'outOfScope', 0)
if state == 'done' then redis.call('HSET', KEYS[1], 'finishedAt', ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ttl)
-- The scope lives as long as the job: every write of the job renews both.
if ARGV[7] ~= '' then redis.call('SET', KEYS[4], ARGV[7], 'EX', ttl) end
if ARGV[5] == 'upload' then redis.call('EXPIRE', KEYS[3], ttl) end
-- The index forgets jobs past the retention window (their hashes have expired).
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl * 1000)
redis.call('ZADD', KEYS[2], now, ARGV[1])
return { total, last }
