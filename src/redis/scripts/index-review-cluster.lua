-- Indexes a new review item under its cluster keys (LSH band buckets of its text,
-- its image hashes) and keeps what a claim compares on the item: one command
-- instead of a pipeline of one SADD per key.
-- KEYS[1]     item hash
-- KEYS[2..]   cluster sets
-- ARGV[1]     reviewId
-- ARGV[2]     cluster keys (JSON)
-- ARGV[3]     text
-- ARGV[4]     image hashes (JSON)
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
end
redis.call('HSET', KEYS[1], 'clusterKeys', ARGV[2], 'text', ARGV[3], 'phashes', ARGV[4])
return #KEYS - 1
