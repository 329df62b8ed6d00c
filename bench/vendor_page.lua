-- wrk script for GET <the URL's path>?limit=100&offset=N (a list route, /ch08/vendor/list in the scale scenario) with N drawn at random from [low, high],
-- so pages come from many chunks and no answer is served twice from the index's small-answer cache.
-- Arguments (after --): low high [pause between a connection's requests, ms]
local thread_index = 0

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
end

function init(args)
  low, high = tonumber(args[1]), tonumber(args[2])
  pause = tonumber(args[3] or "0")
  math.randomseed(os.time() * 1000 + index)
end

function request()
  return wrk.format("GET", wrk.path .. "?limit=100&offset=" .. math.random(low, high))
end

function delay()
  return pause
end

-- With WRK_LATENCY_FILE set, the run's latency histogram is appended there as "microseconds count" lines,
-- so several runs can be merged into one distribution (bench/deep.py --windows).
function done(summary, latency, requests)
  local file = os.getenv("WRK_LATENCY_FILE")
  if file == nil or file == "" then
    return
  end
  local out = assert(io.open(file, "a"))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("%d %d\n", value, count))
  end
  out:close()
end
