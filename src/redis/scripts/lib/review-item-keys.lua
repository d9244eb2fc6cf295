-- Library of the review scripts: the keys a review item belongs to, named from
-- the item's own key, tier, listing and content hash (redis-keys.ts reviewStream,
-- reviewDedupe, reviewDecided). Items of earlier versions kept them as fields
-- (`stream`, `dedupeKey`, `decidedKey`), which are read first.

-- { stream, dedupe, decided } of the item at itemKey (`<prefix>{review}:item:<reviewId>`).
local function reviewItemKeys(itemKey)
  local f = redis.call('HMGET', itemKey, 'stream', 'dedupeKey', 'decidedKey', 'tier', 'listingId', 'contentHash')
  local base = string.match(itemKey, '^(.*)item:[^:]*$')
  local content = (f[5] or '') .. ':' .. (f[6] or '')
  return {
    stream = f[1] or (base .. 'stream:' .. (f[4] or 'normal')),
    dedupe = f[2] or (base .. 'dedupe:' .. content),
    decided = f[3] or (base .. 'decided:' .. content),
  }
end
