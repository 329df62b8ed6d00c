-- wrk script for POST /ch08/login/add with a unique id and username per request.
-- Counts answers by status and checks that every 503 carries Retry-After.
-- Arguments (after --): the first id to use (each thread gets its own range).
local threads = {}
local thread_index = 0

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  base = tonumber(args[1] or "1000000") + index * 10000000
  next_id = 0
  ok, rejected, rejected_with_retry, other = 0, 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local id = base + next_id
  next_id = next_id + 1
  local body = string.format('{"id":%d,"username":"bench%d","password":"bench-password-%d","user_type":1}', id, id, id)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 503 then
    rejected = rejected + 1
    if headers["Retry-After"] ~= nil or headers["retry-after"] ~= nil then
      rejected_with_retry = rejected_with_retry + 1
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = { ok = 0, rejected = 0, rejected_with_retry = 0, other = 0 }
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("ok")
    t.rejected = t.rejected + thread:get("rejected")
    t.rejected_with_retry = t.rejected_with_retry + thread:get("rejected_with_retry")
    t.other = t.other + thread:get("other")
  end
  io.write(string.format("HEAVY ok=%d rejected=%d rejected_with_retry_after=%d other=%d errors=%d\n",
    t.ok, t.rejected, t.rejected_with_retry, t.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
