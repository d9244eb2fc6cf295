-- Renews or releases the lease of a re-check job, only for its holder.
-- KEYS[1]  the job's lease
-- ARGV[1]  the holder's token
-- ARGV[2]  the lease's new lifetime (ms), or '0' to release it
-- Returns 1 when the caller held the lease, 0 otherwise.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
