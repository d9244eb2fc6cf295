-- Lapses review items dead longer than the lapse window (GATE_REVIEW_DEAD_LAPSE_DAYS):
-- an item no admin took back from the dead letters is closed undecided, as a decided
-- item is closed but with no decision (no decided key, no version, the listing's
-- verdict untouched). One script for a batch, so that instances sharing the Redis
-- never lapse an item twice: the first takes the dead letter, the next finds none.
-- KEYS[1]  review dead letters (stream; an entry's id is the time its item died)
-- KEYS[2]  decisions stream (a `lapse` entry per item: the effects settle what it carries)
-- ARGV[1]  cutoff: dead letters with an id up to this (ms since the epoch) lapse
-- ARGV[2]  most dead letters to take in this call
-- ARGV[3]  now (ISO 8601, UTC)
-- ARGV[4]  now in milliseconds since the epoch
-- ARGV[5]  seconds a closed item and its keys are kept (GATE_RETENTION_DAYS)
-- ARGV[6]  key prefix of review items (a reviewId is appended)
-- ARGV[7]  key prefix of a listing's review items (lib/open-items.lua; the listingId is appended)
-- ARGV[8]  key prefix of the cluster index
-- Needs lib/review-cluster-index.lua, lib/review-item-keys.lua and lib/open-items.lua.
-- A dead letter whose item is no longer dead (gone with an erasure or expired) is
-- dropped with the others taken: the letters left are those still waiting.
-- Returns { dead letters taken, reviewId, decisions entry, reviewId, entry, ... }
local taken = redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', ARGV[2])
local out = { #taken }
for _, entry in ipairs(taken) do
  local fields = entry[2]
  local reviewId = ''
  for i = 1, #fields - 1, 2 do
    if fields[i] == 'reviewId' then reviewId = fields[i + 1] end
  end
  local item = ARGV[6] .. reviewId
  if reviewId ~= '' and redis.call('HGET', item, 'status') == 'dead' then
    local lapseId = 'lp_' .. reviewId
    indexCluster(ARGV[8], item, reviewId, false)
    redis.call('HSET', item, 'status', 'lapsed', 'decisionId', lapseId, 'decidedAt', ARGV[3], 'decidedAtMs', ARGV[4], 'decidedBy', 'lapse')
    redis.call('EXPIRE', item, ARGV[5])
    -- Deleted, not kept: no decision stands for the content, so a later check of it may queue it again.
    local dedupe = reviewItemKeys(item).dedupe
    if redis.call('GET', dedupe) == reviewId then redis.call('DEL', dedupe) end
    local listingId = redis.call('HGET', item, 'listingId') or ''
    local openKey = ARGV[7] .. listingId
    closeItem(openKey, reviewId)
    -- Aliases (enqueue-review.lua) live as long as the item they name.
    for _, member in ipairs(listingItems(openKey)) do
      if redis.call('HGET', ARGV[6] .. member, 'aliasOf') == reviewId then redis.call('EXPIRE', ARGV[6] .. member, ARGV[5]) end
    end
    keepClosedFor(openKey, ARGV[5])
    local decisionEntry = redis.call('XADD', KEYS[2], '*', 'type', 'lapse', 'decisionId', lapseId, 'reviewId', reviewId,
      'listingId', listingId, 'at', ARGV[3], 'deadLetter', entry[1])
    out[#out + 1] = reviewId
    out[#out + 1] = decisionEntry
  end
  redis.call('XDEL', KEYS[1], entry[1])
end
return out
