#!lua name=pushgw
-- The sequenced publish path of PushGateway (docs/protocol.md, "History and resume").
-- Any Redis client can publish with history:  FCALL pushgw_publish 1 <topic> <json>
-- Optional arguments after the payload: channel prefix, max entries, max age (ms), idle TTL (s).
-- Keys live under "<prefix>{pushgw}:" so one hash slot holds a deployment's history metadata.

local ENVELOPE = '\30' -- ASCII record separator: no JSON text starts with it

local function keys_for(prefix, topic)
  return prefix .. '{pushgw}:meta:' .. topic, prefix .. '{pushgw}:hist:' .. topic, prefix .. '{pushgw}:topics'
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), t
end

local function publish(keys, args)
  local topic, payload = keys[1], args[1]
  local prefix = args[2] or ''
  local max_len = tonumber(args[3] or '1000')
  local max_age = tonumber(args[4] or '0')
  local ttl = tonumber(args[5] or '86400')
  local meta, stream, topics = keys_for(prefix, topic)
  local ts, t = now_ms()
  local epoch = redis.call('HGET', meta, 'epoch')
  if not epoch then
    -- A new epoch: the history before it (if any) can no longer be trusted to line up with new sequence numbers.
    epoch = string.format('%x%x', tonumber(t[1]), tonumber(t[2]))
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
    redis.call('SADD', topics, topic)
  end
  local seq = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('XADD', stream, 'MAXLEN', '~', max_len, seq .. '-0', 'd', payload, 't', ts)
  if max_age > 0 then
    local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 16)
    local keep = nil
    for _, entry in ipairs(oldest) do
      local fields = entry[2]
      local entry_ts = tonumber(fields[4])
      if entry_ts and entry_ts >= ts - max_age then keep = entry[1] break end
      keep = nil
    end
    if keep then redis.call('XTRIM', stream, 'MINID', keep) end
  end
  if ttl > 0 then
    redis.call('EXPIRE', meta, ttl)
    redis.call('EXPIRE', stream, ttl)
  end
  redis.call('PUBLISH', prefix .. topic, ENVELOPE .. seq .. ':' .. epoch .. ':' .. ts .. '\n' .. payload)
  return seq
end

-- Returns { epoch or false, last seq, entries }, entries as { seq, ts, payload } triples flattened.
-- since >= 0: the entries after since (at most limit); since < 0: only the latest entry.
local function history(keys, args)
  local topic = keys[1]
  local prefix = args[1] or ''
  local since = tonumber(args[2] or '-1')
  local limit = tonumber(args[3] or '1000')
  local meta, stream = keys_for(prefix, topic)
  local state = redis.call('HMGET', meta, 'epoch', 'seq')
  if not state[1] then return { false, 0, {} } end
  local entries
  if since < 0 then
    entries = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  else
    entries = redis.call('XRANGE', stream, tostring(since + 1), '+', 'COUNT', limit)
  end
  local flat = {}
  for _, entry in ipairs(entries) do
    local id = entry[1]
    local fields = entry[2]
    flat[#flat + 1] = tonumber(string.match(id, '^(%d+)'))
    flat[#flat + 1] = tonumber(fields[4])
    flat[#flat + 1] = fields[2]
  end
  return { state[1], tonumber(state[2]), flat }
end

redis.register_function('pushgw_publish', publish)
redis.register_function{ function_name = 'pushgw_history', callback = history, flags = { 'no-writes' } }
