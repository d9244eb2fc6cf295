-- Moves a review item delivered more than GATE_REVIEW_MAX_DELIVERIES times to the
-- dead letters: the letter appended, the item marked dead with its letter's id (an
-- admin's requeue or drop, and the lapse, find the letter by it), the stream entry
-- acknowledged, in one step. An item decided meanwhile is only acknowledged.
-- KEYS[1]  review dead letters (stream)
-- KEYS[2]  the item hash
-- KEYS[3]  the item's review stream
-- ARGV[1]  the reviewers' consumer group
-- ARGV[2]  the item's stream entry id
-- ARGV[3]  unused (the stream is kept to GATE_REVIEW_DEAD_MAXLEN by the lapse job,
--          which lapses the oldest items past it: a trimmed letter would leave its
--          item dead with no end)
-- ARGV[4..] field, value pairs of the letter
-- Returns the letter's id, or 0 when the item was no longer pending.
if redis.call('HGET', KEYS[2], 'status') ~= 'pending' then
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
  return 0
end
local letter = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
redis.call('HSET', KEYS[2], 'status', 'dead', 'deadLetter', letter)
redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
return letter
