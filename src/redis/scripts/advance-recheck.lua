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
-- Redis does not undo a script's writes when it fails part-way, so everything that
-- could fail is checked before the first write: a retry then finds nothing counted
-- or emitted twice.
local pairsCount = tonumber(ARGV[11])
local recordsFrom = 12 + pairsCount * 2
for i = 12, recordsFrom - 1, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not string.match(ARGV[i + 1], '^%-?%d+$') or (current and not string.match(current, '^%-?%d+$')) then
    return redis.error_reply('ERR re-check counter ' .. ARGV[i] .. ' is not an integer')
  end
end
local doneNow = redis.call('HGET', KEYS[1], 'done')
if not string.match(ARGV[4], '^%d+$') or (doneNow and not string.match(doneNow, '^%d+$')) or not tonumber(ARGV[9]) then
  return redis.error_reply('ERR re-check job ' .. KEYS[1] .. ': done, entries or retention is not an integer')
end
for _, key in ipairs({ KEYS[3], KEYS[4] }) do
  if type(redis.pcall('XLEN', key)) ~= 'number' then return redis.error_reply('ERR ' .. key .. ' is not a stream') end
end
local eventIds = {}
if ARGV[8] == '1' then
  for i = recordsFrom, #ARGV, 7 do
    if ARGV[i + 6] ~= '' then
      local decoded, event = pcall(cjson.decode, ARGV[i + 6])
      if not decoded or type(event) ~= 'table' or type(event.eventId) ~= 'string' then
        return redis.error_reply('ERR the webhook event of entry ' .. ARGV[i] .. ' has no eventId')
      end
      eventIds[i] = event.eventId
    end
  end
end
for i = 12, recordsFrom - 1, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
for i = recordsFrom, #ARGV, 7 do
  local field = 'response'
  if ARGV[i + 3] == '' then field = 'error' end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'entryId', ARGV[i], 'listingId', ARGV[i + 1],
    'previous', ARGV[i + 2], 'verdict', ARGV[i + 3], 'changed', ARGV[i + 4], field, ARGV[i + 5])
  if eventIds[i] then
    redis.call('XADD', KEYS[4], '*', 'eventId', eventIds[i], 'event', ARGV[i + 6])
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
