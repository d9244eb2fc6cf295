-- Links a seller with its identity attributes in the ring graph and answers its
-- ring as it is after linking (the publish path, when the seller may be in a ring
-- with a confirmed seller). Every key shares the `{rings}` hash tag of ARGV[1].
-- KEYS[1]  the graph's parent hash (routes the script on a Redis Cluster)
-- ARGV[1]  key prefix of the ring graph
-- ARGV[2]  seller id
-- ARGV[3]  now (ms since the epoch)
-- ARGV[4]  listing id ('' for a shop-opening check)
-- ARGV[5]  region ('' when not known)
-- ARGV[6]  the ring channel, where nodes newly in a ring with a confirmed seller are announced
-- ARGV[7]  the oldest time (ms) a seller's recorded listing is kept
-- ARGV[8..] attribute nodes (`phone:<hash>`, `device:<id>`, ...)
-- Needs lib/ring-flags.lua and lib/link-seller.lua.
-- Returns the ring as it is after linking: its root node, how many of its members
-- are confirmed counterfeit sellers, whether the seller is one, how many members
-- it has, and the nodes this call flagged (lib/ring-flags.lua).
local p = ARGV[1]
local newlyFlagged = {}
local nodes = {}
for i = 8, #ARGV do nodes[#nodes + 1] = ARGV[i] end
local root = linkSeller(p, ARGV[2], ARGV[3], ARGV[4], ARGV[5], nodes, newlyFlagged, ARGV[7])
local announced = announceFlags(ARGV[6], newlyFlagged)
return {
  root,
  redis.call('SCARD', p .. 'confirmed:' .. root),
  redis.call('SISMEMBER', p .. 'confirmed:' .. root, ARGV[2]),
  redis.call('SCARD', p .. 'members:' .. root),
  announced,
}
