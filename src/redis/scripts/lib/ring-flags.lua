-- Library of the ring scripts (put in front of them by src/redis/lua-script.ts).
-- The `flagged` set of the ring graph holds every node ('s:<seller>', 'a:<attribute>')
-- of a ring that has a confirmed counterfeit seller. Each gate instance mirrors it
-- (src/rings/ring-flags.ts), so the publish path answers "not in such a ring"
-- without Redis. Newly flagged nodes are announced on the ring channel.

-- More newly flagged nodes than this in one script are announced as 'reload'.
local RING_FLAGS_ANNOUNCE_MAX = 10000

-- Adds the ring's members and attributes to `flagged`, appending what was not there to `out`.
local function flagRing(prefix, root, out)
  local flagged = prefix .. 'flagged'
  for _, member in ipairs(redis.call('SMEMBERS', prefix .. 'members:' .. root)) do
    if redis.call('SADD', flagged, 's:' .. member) == 1 then out[#out + 1] = 's:' .. member end
  end
  for _, attribute in ipairs(redis.call('SMEMBERS', prefix .. 'attrs:' .. root)) do
    if redis.call('SADD', flagged, 'a:' .. attribute) == 1 then out[#out + 1] = 'a:' .. attribute end
  end
end

-- Takes the ring's nodes out of `flagged` (its last confirmed member was cleared).
local function unflagRing(prefix, root)
  local flagged = prefix .. 'flagged'
  for _, member in ipairs(redis.call('SMEMBERS', prefix .. 'members:' .. root)) do redis.call('SREM', flagged, 's:' .. member) end
  for _, attribute in ipairs(redis.call('SMEMBERS', prefix .. 'attrs:' .. root)) do redis.call('SREM', flagged, 'a:' .. attribute) end
end

local function isConfirmedRing(prefix, root)
  return redis.call('SCARD', prefix .. 'confirmed:' .. root) > 0
end

-- Announces the nodes and returns them for the caller's own table (none when
-- they are too many to send: then every instance, the caller's too, reloads).
local function announceFlags(channel, nodes)
  if #nodes == 0 then return nodes end
  if #nodes > RING_FLAGS_ANNOUNCE_MAX then
    redis.call('PUBLISH', channel, 'reload')
    return {}
  end
  redis.call('PUBLISH', channel, cjson.encode({ flagged = nodes }))
  return nodes
end
