-- wrk script for POST /ch08/vendor/add with a unique id per request (all vendors on login 1).
-- Arguments (after --): the first id to use; each wrk thread takes its own range of 50,000,000 ids.
local threads = {}
local thread_index = 0

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  base = tonumber(args[1] or "100000000") + index * 50000000
  next_id = 0
  ok, other = 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local id = base + next_id
  next_id = next_id + 1
  local body = string.format('{"id":%d,"rep_firstname":"Rep","rep_lastname":"Vendor%d","rep_id":"R%d","rep_date_employed":"2022-01-01",'
    .. '"account_name":"Acct%d","account_number":"%010d","date_consigned":"2022-02-01","login_id":1}', id, id, id, id, id)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { ok = 0, other = 0 }
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("ok")
    t.other = t.other + thread:get("other")
  end
  io.write(string.format("ADD ok=%d other=%d\n", t.ok, t.other))
end
