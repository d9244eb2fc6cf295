-- Emits one batch of a re-check job and moves its cursor past it, atomically
-- (issue 25, point 3): the changed verdicts go to the job's verdicts stream and
-- the webhook outbox, its counters move, and its cursor becomes the batch's last
-- entry, all or nothing. Refused unless the caller holds the job's lease, the job
-- is running and its cursor is where the caller read from, so a batch is emitted
-- once, whoever held the job before and however often it was read.
-- KEYS[1]  the job's hash
-- KEYS[2]  the job's lease
-- KEYS[3]  the job's verdicts stream
-- KEYS[4]  the webhook outbox
-- KEYS[5]  the job's upload stream (its TTL follows the job's; absent for a stream source)
-- KEYS[6]  the job's scope (its TTL follows the job's; absent for a job over every listing)
-- ARGV[1]  lease token
-- ARGV[2]  the cursor the batch was read after
-- ARGV[3]  the batch's last entry id (the new cursor)
-- ARGV[4]  entries in the batch
-- ARGV[5]  now (ms since the epoch)
-- ARGV[6]  the job's rate now (listings/s)
-- ARGV[7]  approximate most entries of the verdicts stream (XADD MAXLEN ~)
-- ARGV[8]  '1' to append webhook events, '0' without a webhook
-- ARGV[9]  seconds the job is kept after its last change
-- ARGV[10] '1' when the batch ends the job (the source has nothing past it)
-- ARGV[11] n: counter increments that follow, n pairs (field, increment:
--          `changed:<from>-><to>`, `unrecorded`, `invalid`, `outOfScope`)
-- then 7 per record: entry id, listing id, previous verdict ('' none), verdict
--          ('' for a bad entry), changed ('1' or '0'), the response or error
--          (JSON), the webhook event (JSON, '' for none)
-- Returns { status, done, state }: status 1 emitted, 0 the cursor had moved,
-- -1 the lease is not the caller's, -2 the job is not running (or gone).
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return { -1, 0, '' } end
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'running' then return { -2, 0, state or '' } end
if redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[2] then return { 0, 0, state } end
local pairsCount = tonumber(ARGV[11])
for i = 12, 11 + pairsCount * 2, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
for i = 12 + pairsCount * 2, #ARGV, 7 do
  local field = 'response'
  if ARGV[i + 3] == '' then field = 'error' end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'entryId', ARGV[i], 'listingId', ARGV[i + 1],
    'previous', ARGV[i + 2], 'verdict', ARGV[i + 3], 'changed', ARGV[i + 4], field, ARGV[i + 5])
  if ARGV[8] == '1' and ARGV[i + 6] ~= '' then
    redis.call('XADD', KEYS[4], '*', 'eventId', cjson.decode(ARGV[i + 6]).eventId, 'event', ARGV[i + 6])
  end
end
local done = redis.call('HINCRBY', KEYS[1], 'done', ARGV[4])
redis.call('HSET', KEYS[1], 'cursor', ARGV[3], 'updatedAt', ARGV[5], 'rate', ARGV[6])
if ARGV[10] == '1' then
  state = 'done'
  redis.call('HSET', KEYS[1], 'state', state, 'finishedAt', ARGV[5], 'rate', 0)
end
local ttl = tonumber(ARGV[9])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('EXPIRE', KEYS[5], ttl)
redis.call('EXPIRE', KEYS[6], ttl)
return { 1, done, state }
