-- Takes an intake consumer out of its group only if it holds no entry: checked
-- and done in one step, so that nothing delivered in between is dropped with it
-- (XGROUP DELCONSUMER forgets what the consumer held).
-- KEYS[1]  the intake stream
-- ARGV[1]  the group, ARGV[2] the consumer
-- Returns 1 when the consumer left, 0 when it holds entries (they stay pending for another instance).
local held = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #held > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
