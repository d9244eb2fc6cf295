-- Library of the verdict scripts: the gate's compact allow records
-- (src/review/allow-record.ts), kept by period (a day with the default window).
-- Under a listing's verdict shard, `<a>periods` holds a field
-- `<start>:<length>:<buckets>` (ms since the epoch, ms, a count) for each period in
-- use, and `<a><start>:<buckets>:<n>` that period's records, listing id -> packed
-- record, the listing in bucket n = its bucket hash mod buckets.

-- Milliseconds since the epoch of an ISO 8601 UTC time (the gate writes them so).
local function isoMillis(iso)
  local y, mo, d, h, mi, s, frac = string.match(iso or '', '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$')
  if not y then return 0 end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1; mo = mo + 12 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * (mo - 3) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(s) * 1000 + tonumber(string.sub(frac .. '000', 1, 3))
end

-- When a packed record was decided (ms since the epoch).
local function allowMillis(packed)
  return tonumber(string.match(packed, '^([0-9a-z]+)|'), 36) or 0
end

-- The periods of a shard whose records may still be kept (`now` and the window in
-- ms): { start, length, buckets } each.
local function allowPeriods(a, now, window)
  local periods = {}
  for _, field in ipairs(redis.call('HKEYS', a .. 'periods')) do
    local start, length, buckets = string.match(field, '^(%d+):(%d+):(%d+)$')
    if start and tonumber(start) + tonumber(length) + window >= now then periods[#periods + 1] = { start, tonumber(length), tonumber(buckets) } end
  end
  return periods
end

-- The newest allow record of a listing still kept: the packed record, or nil.
local function newestAllow(a, listingId, bucketHash, now, window)
  local newest = nil
  for _, period in ipairs(allowPeriods(a, now, window)) do
    local packed = redis.call('HGET', a .. period[1] .. ':' .. period[3] .. ':' .. (bucketHash % period[3]), listingId)
    if packed and (not newest or allowMillis(packed) > allowMillis(newest)) then newest = packed end
  end
  return newest
end
