-- One step of building the `flagged` set of the ring graph from rings confirmed
-- before it existed: scans a chunk of the `confirmed:<root>` sets and flags each
-- ring that has a confirmed seller. The caller repeats it until the cursor is '0';
-- the last step sets the `flagged:built` marker.
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster, where
--          the scan runs on the node that holds the graph's slot)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  scan cursor ('0' to begin)
-- ARGV[3]  MATCH pattern of the confirmed sets (the prefix escaped, then 'confirmed:*')
-- Needs lib/ring-flags.lua.
local p = ARGV[1]
local step = redis.call('SCAN', ARGV[2], 'MATCH', ARGV[3], 'COUNT', 1000)
local skip = #p + #'confirmed:'
local ignored = {}
for _, key in ipairs(step[2]) do
  local root = string.sub(key, skip + 1)
  if isConfirmedRing(p, root) then flagRing(p, root, ignored) end
end
if step[1] == '0' then redis.call('SET', p .. 'flagged:built', '1') end
return step[1]
