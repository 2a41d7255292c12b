-- wrk script for bench/soak: hits over a hot set, and now and then a cold path.
--
-- wrk -s bench/soak.lua URL -- HOT_FILE COLD_FILE PERMILLE THREADS
--
-- Each request is, with probability PERMILLE/1000, the next cold path of this thread
-- (thread k of THREADS takes lines k+1, k+1+THREADS, ... of COLD_FILE, so no path is
-- asked twice and each is a real miss), else a random line of HOT_FILE. When a
-- thread's cold paths run out it asks only hot paths; done() prints how many cold
-- paths were sent and whether the list ran out.

local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

local function lines(file)
  local t = {}
  for l in io.lines(file) do
    if l ~= "" then t[#t + 1] = l end
  end
  return t
end

function init(args)
  local hot = lines(args[1])
  cold = lines(args[2])
  permille = tonumber(args[3])
  stride = tonumber(args[4])
  next_cold = id + 1
  cold_sent = 0
  exhausted = 0
  hot_reqs = {}
  for i, p in ipairs(hot) do hot_reqs[i] = wrk.format("GET", p) end
  math.randomseed(os.time() * 1000 + id * 7919)
end

function request()
  if math.random(1000) <= permille then
    if next_cold <= #cold then
      local p = cold[next_cold]
      next_cold = next_cold + stride
      cold_sent = cold_sent + 1
      return wrk.format("GET", p)
    end
    exhausted = 1
  end
  return hot_reqs[math.random(#hot_reqs)]
end

function done(summary, latency, requests)
  local sent, ran_out = 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("cold_sent")
    ran_out = ran_out + t:get("exhausted")
  end
  io.write(string.format("cold_sent %d\ncold_exhausted_threads %d\n", sent, ran_out))
end
