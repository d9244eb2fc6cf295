-- Records a reviewer's decision on a claimed item, atomically: the item must be
-- pending, claimed by this reviewer, with its lease still running. Acknowledges
-- the stream entry, marks the content decided, and appends the decision to the
-- decisions stream (which the effects worker applies: verdict, lists, banks,
-- webhook).
-- KEYS[1]  item hash
-- KEYS[2]  decisions stream
-- ARGV[1]  group name
-- ARGV[2]  reviewer (consumer name)
-- ARGV[3]  lease in milliseconds
-- ARGV[4]  decision: block | allow
-- ARGV[5]  decision id
-- ARGV[6]  note
-- ARGV[7]  confirmations (JSON)
-- ARGV[8]  now (ISO 8601, UTC)
-- ARGV[9]  ownership: '0' the reviewer must hold the item; '1' an admin may decide
--          any pending item; '2' (a cluster decision) the item must not be held
--          by another reviewer whose lease still runs
-- ARGV[10] now in milliseconds since the epoch
-- Returns { 'ok', decisionId } or { 'error', code }
local item = KEYS[1]
local status = redis.call('HGET', item, 'status')
if not status then return { 'error', 'not_found' } end
if status ~= 'pending' then return { 'error', 'already_decided' } end
local stream = redis.call('HGET', item, 'stream')
local entryId = redis.call('HGET', item, 'entryId')
local pending = redis.call('XPENDING', stream, ARGV[1], entryId, entryId, 1)
if ARGV[9] == '0' then
  if #pending == 0 then return { 'error', 'not_claimed' } end
  local owner = pending[1][2]
  local idle = tonumber(pending[1][3])
  if owner ~= ARGV[2] then return { 'error', 'claimed_by_another' } end
  if idle > tonumber(ARGV[3]) then return { 'error', 'lease_expired' } end
elseif ARGV[9] == '2' and #pending > 0 then
  if pending[1][2] ~= ARGV[2] and tonumber(pending[1][3]) <= tonumber(ARGV[3]) then return { 'error', 'claimed_by_another' } end
end
redis.call('XACK', stream, ARGV[1], entryId)
redis.call('HSET', item, 'status', 'decided', 'decision', ARGV[4], 'decidedBy', ARGV[2], 'decidedAt', ARGV[8], 'decidedAtMs', ARGV[10], 'decisionId', ARGV[5])
local decidedKey = redis.call('HGET', item, 'decidedKey')
redis.call('SET', decidedKey, ARGV[4])
local decisionEntry = redis.call('XADD', KEYS[2], '*', 'type', 'decision', 'decisionId', ARGV[5], 'reviewId', redis.call('HGET', item, 'reviewId'),
  'listingId', redis.call('HGET', item, 'listingId'), 'decision', ARGV[4], 'reviewer', ARGV[2], 'note', ARGV[6],
  'confirm', ARGV[7], 'at', ARGV[8], 'entryId', entryId, 'stream', stream)
return { 'ok', ARGV[5], decisionEntry }
