-- Records the outcomes of intake entries (issue 25, point 2): each is appended
-- (its verdict or its error to the verdicts stream, or a dead letter) and then
-- acknowledged, in one script, so that no crash falls between the two. An entry
-- no longer pending in the group is skipped: another instance claimed it and
-- recorded it first, and an entry id gets one outcome however often it was
-- delivered. Appended before acknowledged: if an append fails, the entry stays
-- pending and is delivered again.
-- KEYS[1]  the intake stream
-- KEYS[2]  its verdicts stream
-- KEYS[3]  its dead-letter stream
-- ARGV[1]  the consumer group
-- ARGV[2]  approximate most entries of the verdicts stream (XADD MAXLEN ~)
-- ARGV[3]  approximate most entries of the dead-letter stream
-- ARGV[4..] five per outcome: kind ('response', 'error' or 'dead'), entry id,
--          listing id ('' when unknown), payload (the check response or the
--          error), the entry's listing (dead letters only, '' otherwise)
-- Returns, for each outcome in order, 1 if recorded, 0 if the entry was no longer pending.
local recorded = {}
for i = 4, #ARGV, 5 do
  local kind, id, listingId, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #pending > 0 then
    if kind == 'dead' then
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'entryId', id, 'listingId', listingId, 'error', payload, 'deliveries', pending[1][4], 'listing', ARGV[i + 4])
    else
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'entryId', id, 'listingId', listingId, kind, payload)
    end
    redis.call('XACK', KEYS[1], ARGV[1], id)
    recorded[#recorded + 1] = 1
  else
    recorded[#recorded + 1] = 0
  end
end
return recorded
