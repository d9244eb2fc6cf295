-- Library of the verdict scripts: the gate's compact allow records
-- (src/review/allow-record.ts). Under a listing's verdict shard, `<a>days` holds a
-- field `<day>:<buckets>` for each day (days since the epoch, UTC) and bucket count
-- in use, and `<a><day>:<buckets>:<n>` the records of that day, listing id -> packed
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

-- The newest allow record of a listing on a day at or after oldestDay: the packed record, or nil.
local function newestAllow(a, listingId, bucketHash, oldestDay)
  local days = {}
  for _, field in ipairs(redis.call('HKEYS', a .. 'days')) do
    local day, buckets = string.match(field, '^(%d+):(%d+)$')
    if day and tonumber(day) >= oldestDay then days[#days + 1] = { tonumber(day), tonumber(buckets) } end
  end
  table.sort(days, function(x, y) return x[1] > y[1] end)
  local newest = nil
  for _, d in ipairs(days) do
    if newest and allowMillis(newest) >= (d[1] + 1) * 86400000 then break end
    local packed = redis.call('HGET', a .. d[1] .. ':' .. d[2] .. ':' .. (bucketHash % d[2]), listingId)
    if packed and (not newest or allowMillis(packed) > allowMillis(newest)) then newest = packed end
  end
  return newest
end
