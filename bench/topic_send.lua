-- wrk script for a burst of POST /ch08/messenger/kafka/send: exactly <count> sends per wrk thread, unique
-- messenger ids (all on vendor 1). Once a thread has sent its share it asks only GET /health/live (not
-- counted) until the last answer to a send has arrived, then stops.
-- Arguments (after --): the first id, the sends per thread.
-- wrk calls request() once on the first thread's state before any connection opens, to check the script (its
-- script_verify_request) and throws that request away: that call gets a health check, so no send is counted that
-- never went out. (Before, the first thread counted 5,000 sends but sent 4,999, waited for an answer that could not
-- come, and the burst reported 9,999 of 10,000.)
local threads = {}
local thread_index = 0

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  base = tonumber(args[1] or "1000000") + index * 10000000
  quota = tonumber(args[2] or "5000")
  sent, ok, other = 0, 0, 0
  verifying = index == 0
end

function request()
  if verifying then
    verifying = false
    return wrk.format("GET", "/health/live")
  end
  if sent >= quota then
    return wrk.format("GET", "/health/live")
  end
  local id = base + sent
  sent = sent + 1
  local body = string.format('{"id":%d,"firstname":"Max","lastname":"Messenger%d","salary":18000.0,'
    .. '"date_employed":"2021-09-01","status":1,"vendor_id":1}', id, id)
  return wrk.format("POST", "/ch08/messenger/kafka/send", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 200 and body:find("messenger details sent", 1, true) then
    ok = ok + 1
  elseif not (status == 200 and body == "Healthy") then
    other = other + 1
  end
  if ok + other >= quota then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t = { ok = 0, other = 0 }
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("ok")
    t.other = t.other + thread:get("other")
  end
  io.write(string.format("SEND ok=%d other=%d\n", t.ok, t.other))
end
