-- Library of the review scripts: the cluster index (src/review/review-cluster.ts),
-- sorted sets of pending items sharing a text band bucket or an image hash. An item
-- is in its keys while it is pending: the index is bounded by the open items.

-- Adds (or removes) a review item to (from) the index keys named in its hash.
local function indexCluster(clusterPrefix, itemKey, reviewId, add)
  local keysJson = redis.call('HGET', itemKey, 'clusterKeys')
  if not keysJson or keysJson == '' then return end
  for _, key in ipairs(cjson.decode(keysJson)) do
    if add then redis.call('ZADD', clusterPrefix .. key, 0, reviewId) else redis.call('ZREM', clusterPrefix .. key, reviewId) end
  end
end
