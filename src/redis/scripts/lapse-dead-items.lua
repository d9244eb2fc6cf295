-- Lapses review items dead longer than the lapse window (GATE_REVIEW_DEAD_LAPSE_DAYS):
-- an item no admin took back from the dead letters is closed undecided, as a decided
-- item is closed but with no decision (no decided key, no version, the listing's
-- verdict untouched). One script for a batch, so that instances sharing the Redis
-- never lapse an item twice: the first takes the dead letter, the next finds none.
-- An admin's drop of one dead item is the same lapse, of its letter alone, now.
-- KEYS[1]  review dead letters (stream; an entry's id is the time its item died)
-- KEYS[2]  decisions stream (a `lapse` entry per item: the effects settle what it carries)
-- ARGV[1]  first dead letter to take ('-': the oldest)
-- ARGV[2]  last dead letter to take: the cutoff (ms since the epoch), or a letter's id
-- ARGV[3]  most dead letters to take in this call
-- ARGV[4]  now (ISO 8601, UTC)
-- ARGV[5]  now in milliseconds since the epoch
-- ARGV[6]  seconds a closed item and its keys are kept (GATE_RETENTION_DAYS)
-- ARGV[7]  key prefix of review items (a reviewId is appended)
-- ARGV[8]  key prefix of a listing's review items (lib/open-items.lua; the listingId is appended)
-- ARGV[9]  key prefix of the cluster index
-- ARGV[10] who closes it: 'lapse', or the admin who drops it
-- Needs lib/review-cluster-index.lua, lib/review-item-keys.lua and lib/open-items.lua.
-- A letter whose item is no longer dead by it (taken back, erased, expired) is
-- dropped with the others taken: the letters left are those still waiting.
-- Returns { dead letters taken, reviewId, decisions entry, reviewId, entry, ... }
local taken = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', ARGV[3])
local out = { #taken }
for _, entry in ipairs(taken) do
  local fields = entry[2]
  local reviewId = ''
  for i = 1, #fields - 1, 2 do
    if fields[i] == 'reviewId' then reviewId = fields[i + 1] end
  end
  local item = ARGV[7] .. reviewId
  local state = redis.call('HMGET', item, 'status', 'deadLetter')
  -- Items buried by earlier versions do not name their letter.
  if reviewId ~= '' and state[1] == 'dead' and (not state[2] or state[2] == entry[1]) then
    local lapseId = 'lp_' .. reviewId
    indexCluster(ARGV[9], item, reviewId, false)
    redis.call('HDEL', item, 'deadLetter')
    redis.call('HSET', item, 'status', 'lapsed', 'decisionId', lapseId, 'decidedAt', ARGV[4], 'decidedAtMs', ARGV[5], 'decidedBy', ARGV[10])
    redis.call('EXPIRE', item, ARGV[6])
    -- Deleted, not kept: no decision stands for the content, so a later check of it may queue it again.
    local dedupe = reviewItemKeys(item).dedupe
    if redis.call('GET', dedupe) == reviewId then redis.call('DEL', dedupe) end
    local listingId = redis.call('HGET', item, 'listingId') or ''
    local openKey = ARGV[8] .. listingId
    closeItem(openKey, reviewId)
    -- Aliases (enqueue-review.lua) live as long as the item they name.
    for _, member in ipairs(listingItems(openKey)) do
      if redis.call('HGET', ARGV[7] .. member, 'aliasOf') == reviewId then redis.call('EXPIRE', ARGV[7] .. member, ARGV[6]) end
    end
    keepClosedFor(openKey, ARGV[6])
    local decisionEntry = redis.call('XADD', KEYS[2], '*', 'type', 'lapse', 'decisionId', lapseId, 'reviewId', reviewId,
      'listingId', listingId, 'at', ARGV[4], 'by', ARGV[10], 'deadLetter', entry[1])
    out[#out + 1] = reviewId
    out[#out + 1] = decisionEntry
  end
  redis.call('XDEL', KEYS[1], entry[1])
end
return out
