-- search.lua - wrk script of bench/run: cycles through a file of request paths (one a line, given
-- after "--" on wrk's command line), each wrk thread from its own offset, and prints one summary
-- line: requests, errors, queries/s and latency percentiles in ms (wrk records every latency).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local paths = {}
local i = 0

function init(args)
   local file = args[1]
   if not file then
      error("search.lua: give the path file after --")
   end
   for line in io.lines(file) do
      if #line > 0 then
         paths[#paths + 1] = line
      end
   end
   if #paths == 0 then
      error("search.lua: no paths in " .. file)
   end
   -- Spread the threads over the list so that they do not send the same query at once.
   i = ((tid or 0) * 7919) % #paths
end

function request()
   i = i % #paths + 1
   return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   local secs = summary.duration / 1e6
   io.write(string.format(
      "wrk requests=%d errors=%d status_errors=%d timeouts=%d seconds=%.3f qps=%.2f mean_ms=%.3f " ..
      "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
      summary.requests, errors, e.status, e.timeout, secs, summary.requests / secs, latency.mean / 1000,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000))
end
