-- Updates a pending item's priority and context (more consumer reports), and
-- moves it to a more urgent tier's stream when asked, unless a reviewer holds it
-- right now (then only its priority changes; the reviewer sees it anyway).
-- KEYS[1]  item hash
-- KEYS[2]  stream of the tier to move to
-- ARGV[1]  consumer group
-- ARGV[2]  new priority
-- ARGV[3]  new context (JSON)
-- ARGV[4]  '1' to move to KEYS[2]
-- ARGV[5]  tier name of KEYS[2]
-- Needs lib/review-item-keys.lua.
-- Returns { 'decided' } | { 'updated' } | { 'moved', newEntryId }
local item = KEYS[1]
if redis.call('HGET', item, 'status') ~= 'pending' then
  return { 'decided' }
end
redis.call('HSET', item, 'priority', ARGV[2], 'context', ARGV[3])
local stream = reviewItemKeys(item).stream
local entryId = redis.call('HGET', item, 'entryId')
if ARGV[4] ~= '1' or stream == KEYS[2] then
  return { 'updated' }
end
local held = redis.call('XPENDING', stream, ARGV[1], entryId, entryId, 1)
if #held > 0 then
  return { 'updated' }
end
local rows = redis.call('XRANGE', stream, entryId, entryId)
if #rows == 0 then
  return { 'updated' }
end
local fields = rows[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'priority' then fields[i + 1] = ARGV[2] end
  if fields[i] == 'context' then fields[i + 1] = ARGV[3] end
end
local newId = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XDEL', stream, entryId)
redis.call('HSET', item, 'entryId', newId, 'tier', ARGV[5])
redis.call('HDEL', item, 'stream')
return { 'moved', newId }
