-- Appends a review item unless the same listing content is already queued.
-- KEYS[1]  dedupe key (listingId + content hash), value: the reviewId
-- KEYS[2]  review stream
-- ARGV[1]  reviewId to use if the item is new
-- ARGV[2..] field, value pairs of the stream entry
-- Returns { reviewId, 1 if added now / 0 if it was already queued }
local existing = redis.call('GET', KEYS[1])
if existing then
  return { existing, 0 }
end
local fields = { 'reviewId', ARGV[1] }
for i = 2, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('SET', KEYS[1], ARGV[1])
return { ARGV[1], 1 }
