-- Pauses, resumes or cancels a re-check job (issue 25, point 3). The holder of a
-- job sees the change at its next batch: the advance script refuses a job that is
-- not running, so nothing is emitted after a pause or a cancel.
-- KEYS[1]  the job's hash
-- KEYS[2]  the job's scope (its TTL follows the job's; absent for a job over every listing)
-- ARGV[1]  'pause' (running -> paused), 'resume' (paused -> running) or 'cancel'
--          (running or paused -> cancelled)
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  seconds the job is kept after its last change
-- Returns { 1, new state } when changed, { 0, state } when the job's state does
-- not allow it, { -1, '' } when there is no such job.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return { -1, '' } end
local from = { pause = { running = true }, resume = { paused = true }, cancel = { running = true, paused = true } }
local to = { pause = 'paused', resume = 'running', cancel = 'cancelled' }
if not from[ARGV[1]][state] then return { 0, state } end
redis.call('HSET', KEYS[1], 'state', to[ARGV[1]], 'updatedAt', ARGV[2], 'rate', 0)
if ARGV[1] == 'cancel' then redis.call('HSET', KEYS[1], 'finishedAt', ARGV[2]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
return { 1, to[ARGV[1]] }
