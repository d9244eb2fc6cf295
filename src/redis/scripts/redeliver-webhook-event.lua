-- Puts a dead-lettered webhook event back in the outbox (an admin's redeliver),
-- with its event id unchanged and its attempts from zero, and removes the dead
-- letter, in one script: the event is in exactly one of the two streams.
-- KEYS[1]  the dead-letter stream
-- KEYS[2]  the webhook outbox
-- ARGV[1]  the dead letter's id
-- Returns the new outbox entry's id, or 0 when there is no such dead letter.
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return 0 end
local fields = entries[1][2]
local eventId, event = ARGV[1], '{}'
for i = 1, #fields - 1, 2 do
  if fields[i] == 'eventId' then eventId = fields[i + 1] elseif fields[i] == 'event' then event = fields[i + 1] end
end
local id = redis.call('XADD', KEYS[2], '*', 'eventId', eventId, 'event', event)
redis.call('XDEL', KEYS[1], ARGV[1])
return id
