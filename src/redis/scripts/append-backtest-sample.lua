-- Appends checked listings to the backtest sample (src/backtest/backtest-sample.ts)
-- and keeps it within its bounds: the newest ARGV[1] entries, none older than
-- ARGV[2]. Exact trims: a batch removes about as many entries as it adds.
-- KEYS[1]  the sample stream
-- ARGV[1]  most entries kept (GATE_BACKTEST_SAMPLE)
-- ARGV[2]  the oldest entry id kept, in ms since the epoch (now less GATE_ALLOW_RETENTION_DAYS)
-- ARGV     then 2 values per listing: its id, the listing packed (src/review/stored-listing.ts)
-- Returns the entries appended.
for i = 3, #ARGV, 2 do
  redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'l', ARGV[i + 1])
end
redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
return (#ARGV - 2) / 2
