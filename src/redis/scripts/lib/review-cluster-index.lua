-- Library of the review scripts: the cluster index (src/review/review-cluster.ts),
-- sorted sets of pending items sharing a text band bucket or an image hash. An item
-- is in its keys while it is pending: the index is bounded by the open items.

-- The cluster keys an item's hash keeps (review-cluster.ts packClusterKeys): separated
-- by spaces, a bare number being the bucket of the text band of its place; a JSON
-- array in items of earlier versions.
local function unpackClusterKeys(packed)
  if not packed or packed == '' then return {} end
  if string.sub(packed, 1, 1) == '[' then return cjson.decode(packed) end
  local keys = {}
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
