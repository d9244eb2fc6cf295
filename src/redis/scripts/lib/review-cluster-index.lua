-- Library of the review scripts: the cluster index (src/review/review-cluster.ts),
-- sorted sets of pending items sharing a text band bucket or an image hash. An item
-- is in its keys while it is pending: the index is bounded by the open items.

-- The cluster keys an item's hash keeps (review-cluster.ts packClusterKeys): a zero
-- byte, the number of text bands, each band's bucket in 4 bytes, then the other keys
-- separated by spaces. Items of earlier versions: separated by spaces, a bare number
-- being the bucket of the text band of its place; or a JSON array.
local function unpackClusterKeys(packed)
  if not packed or packed == '' then return {} end
  local keys = {}
  if string.byte(packed, 1) == 0 then
    local bands = string.byte(packed, 2)
    for band = 0, bands - 1 do
      keys[#keys + 1] = 't' .. band .. ':' .. tostring(struct.unpack('>I4', packed, 3 + band * 4))
    end
    for key in string.gmatch(string.sub(packed, 3 + bands * 4), '%S+') do keys[#keys + 1] = key end
    return keys
  end
  if string.sub(packed, 1, 1) == '[' then return cjson.decode(packed) end
  for key in string.gmatch(packed, '%S+') do
    if string.match(key, '^%d+$') then key = 't' .. #keys .. ':' .. key end
    keys[#keys + 1] = key
  end
  return keys
end

-- Adds (or removes) a review item to (from) the index keys named in its hash.
local function indexCluster(clusterPrefix, itemKey, reviewId, add)
  for _, key in ipairs(unpackClusterKeys(redis.call('HGET', itemKey, 'clusterKeys'))) do
    if add then redis.call('ZADD', clusterPrefix .. key, 0, reviewId) else redis.call('ZREM', clusterPrefix .. key, reviewId) end
  end
end
