-- Links the sellers of many checks at once, after their answers: one call per
-- batch instead of one per check (src/rings/seller-rings.ts, linkLater). Every key
-- shares the `{rings}` hash tag of ARGV[1].
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  the ring channel, where nodes newly in a ring with a confirmed seller are announced
-- ARGV[4]  the oldest time (ms) a seller's recorded listing is kept
-- ARGV[5..] one group per link: seller id, listing id ('' for none), region ('' for
--           none), the number N of attribute nodes, then the N nodes
-- Needs lib/ring-flags.lua and lib/link-seller.lua.
-- Returns the nodes this call flagged (lib/ring-flags.lua).
local p = ARGV[1]
local newlyFlagged = {}
local i = 5
while i <= #ARGV do
  local count = tonumber(ARGV[i + 3])
  local nodes = {}
  for n = 1, count do nodes[n] = ARGV[i + 3 + n] end
  linkSeller(p, ARGV[i], ARGV[2], ARGV[i + 1], ARGV[i + 2], nodes, newlyFlagged, ARGV[4])
  i = i + 4 + count
end
return announceFlags(ARGV[3], newlyFlagged)
