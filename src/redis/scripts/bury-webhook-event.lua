-- Moves a webhook event whose attempts are used up (GATE_WEBHOOK_MAX_ATTEMPTS)
-- from the outbox to the dead letters (issue 27, point 5): appended, then
-- acknowledged, in one script, so that no crash falls between the two and no
-- event is acknowledged without being delivered or dead-lettered. Skipped when
-- another consumer holds the entry now: it claimed it, and its attempt decides.
-- KEYS[1]  the webhook outbox
-- KEYS[2]  the dead-letter stream
-- ARGV[1]  the consumer group
-- ARGV[2]  the consumer that made the last attempt
-- ARGV[3]  the outbox entry's id
-- ARGV[4]  approximate most dead letters kept (XADD MAXLEN ~)
-- ARGV[5]  the last attempt's error
-- Returns the dead letter's id; 0 when the entry is not that consumer's, or no
-- longer pending, or was erased (then it is only acknowledged).
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
local entries = redis.call('XRANGE', KEYS[1], ARGV[3], ARGV[3])
local id = 0
if #entries > 0 then
  local fields = entries[1][2]
  local eventId, event = ARGV[3], '{}'
  for i = 1, #fields - 1, 2 do
    if fields[i] == 'eventId' then eventId = fields[i + 1] elseif fields[i] == 'event' then event = fields[i + 1] end
  end
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'eventId', eventId, 'event', event,
    'attempts', pending[1][4], 'error', ARGV[5], 'outboxId', ARGV[3])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
return id
