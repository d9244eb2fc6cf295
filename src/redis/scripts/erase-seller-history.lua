-- Takes erased listings out of a seller's review history (src/erasure/listing-erasure.ts):
-- every entry (a JSON object, decision-effects.ts) whose `listingId` is one of them.
-- KEYS[1]  the seller's history (a list, capped at 100 entries)
-- ARGV     the erased listing ids
-- Returns the entries removed.
local wanted = {}
for _, id in ipairs(ARGV) do wanted[id] = true end
local removed = 0
for _, entry in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, decoded = pcall(cjson.decode, entry)
  if ok and type(decoded) == 'table' and wanted[decoded.listingId] then removed = removed + redis.call('LREM', KEYS[1], 0, entry) end
end
return removed
