-- Deletes the entries of a stream that name an erased listing, a slice of an id range
-- per call, so that Redis reads a long stream in steps of ARGV[3] entries between
-- other clients' commands, and no entry leaves Redis (src/erasure/stream-eraser.ts).
-- KEYS[1]  the stream
-- ARGV[1]  first id of the range ('-', an id, or '(' and an id: after it)
-- ARGV[2]  last id of the range ('+' or an id)
-- ARGV[3]  entries read in this call
-- ARGV[4]  the field whose value is matched
-- ARGV[5]  '' to match the field's value, or a key of the object the field holds
--          (JSON, or MessagePack when it does not begin with '{', as an intake entry's listing)
-- ARGV[6]  'ack': an entry a consumer group holds is acknowledged there, then deleted;
--          'skip': it is left to its reader (who finishes it)
-- ARGV[7]  G, then ARGV[8..7+G]: the stream's consumer groups
-- ARGV[8+G..] the values matched
-- Returns { where the next call goes on from ('' when the range is done), entries deleted }.
local groups = tonumber(ARGV[7])
local wanted = {}
for i = 8 + groups, #ARGV do wanted[ARGV[i]] = true end

local function keyOf(text)
  local decode = cjson.decode
  if not string.match(text, '^%s*{') then decode = cmsgpack.unpack end
  local ok, decoded = pcall(decode, text)
  if ok and type(decoded) == 'table' then return decoded[ARGV[5]] end
  return nil
end

local function held(id)
  for g = 8, 7 + groups do
    if #redis.call('XPENDING', KEYS[1], ARGV[g], id, id, 1) > 0 then return true end
  end
  return false
end

local count = tonumber(ARGV[3])
local rows = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', count)
local deleted = 0
for _, row in ipairs(rows) do
  local fields = row[2]
  for i = 1, #fields, 2 do
    if fields[i] == ARGV[4] then
      local value = fields[i + 1]
      if ARGV[5] ~= '' then value = keyOf(value) end
      if value and wanted[value] and not (ARGV[6] == 'skip' and held(row[1])) then
        for g = 8, 7 + groups do redis.call('XACK', KEYS[1], ARGV[g], row[1]) end
        deleted = deleted + redis.call('XDEL', KEYS[1], row[1])
      end
      break
    end
  end
end
if #rows < count then return { '', deleted } end
return { '(' .. rows[#rows][1], deleted }
