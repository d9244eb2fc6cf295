-- Writes the gate's records of many checks that blocked or sent their listing to
-- review (allowed ones go to record-allows.lua), each unless its listing's stored
-- record or compact allow record is newer (the records wait a few milliseconds to
-- be written together, and a reviewer's decision or a takedown about the same
-- listing may land meanwhile), or
-- is a person's verdict on the same content: the gate never replaces what a person
-- decided until the content changes (a record without a content hash, from a check
-- that did not compute it, replaces no person's record).
-- On a Redis Cluster the caller sends only keys of one hash slot (src/redis/slot-groups.ts).
-- KEYS[i]  the verdict hash of the i-th listing
-- ARGV     13 values per record, in KEYS order: listingId, verdict, decidedBy,
--          decidedAt (ISO 8601 in UTC, so it compares as text), checkId, reviewId,
--          policyVersion, reasons (JSON tuples, packed-reasons.ts), complaintId, contentHash ('' unknown),
--          brands (JSON), listing (JSON; '' leaves the stored listing as it is),
--          seconds the record is kept (its verdict's retention window)
-- A stored record's `allowedAt` is the time of a compact allow record written after
-- it (record-allows.lua): the listing's verdict since then was allow.
-- Needs lib/allow-records.lua.
-- Returns, per record in KEYS order: 0 not written (the stored record is newer or a
-- person's), 1 written with the verdict it had, 2 written with a new verdict (the
-- figures count a listing once per verdict change, not once per check).
local FIELDS = { 'listingId', 'verdict', 'decidedBy', 'decidedAt', 'checkId', 'reviewId', 'policyVersion', 'reasons', 'complaintId', 'contentHash', 'brands' }
local STRIDE = 13
local outcome = {}
for i, key in ipairs(KEYS) do
  local base = (i - 1) * STRIDE
  local decidedAt = ARGV[base + 4]
  local stored = redis.call('HMGET', key, 'decidedAt', 'decidedBy', 'contentHash', 'verdict', 'allowedAt')
  outcome[i] = 0
  local byPerson = stored[2] and stored[2] ~= '' and stored[2] ~= 'gate'
  local sameContent = ARGV[base + 10] == '' or ARGV[base + 10] == stored[3]
  local allowed = tonumber(stored[5])
  local previous = stored[4]
  if allowed and allowed > isoMillis(stored[1]) then previous = 'allow' end
  local allowedLater = allowed and allowed > isoMillis(decidedAt)
  if (not stored[1] or stored[1] <= decidedAt) and not allowedLater and not (byPerson and sameContent) then
    -- The key names the listing: its id is not stored again. An empty field is removed,
    -- so that the record never keeps an older one's reviewId or complaint.
    local pairs = {}
    local empty = {}
    for f = 2, #FIELDS do
      if ARGV[base + f] == '' then
        empty[#empty + 1] = FIELDS[f]
      else
        pairs[#pairs + 1] = FIELDS[f]
        pairs[#pairs + 1] = ARGV[base + f]
      end
    end
    if #empty > 0 then redis.call('HDEL', key, unpack(empty)) end
    local listing = ARGV[base + 12]
    if listing ~= '' then
      pairs[#pairs + 1] = 'listing'
      pairs[#pairs + 1] = listing
    end
    redis.call('HSET', key, unpack(pairs))
    redis.call('EXPIRE', key, ARGV[base + 13])
    if previous == ARGV[base + 2] then outcome[i] = 1 else outcome[i] = 2 end
  end
end
return outcome
