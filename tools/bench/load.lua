-- wrk script for tools/bench/load (docs/reliability.md, "Load while results change").
--   wrk ... -s tools/bench/load.lua URL -- PATHS_FILE OUT_PREFIX
-- Each wrk thread cycles through the request paths of PATHS_FILE (one a line: tiles, items pages,
-- school records, TileJSON), starting at a different place. Every response is checked here only for
-- its status and its Coldspot-Snapshot header (the version of the results it claims); its body is
-- kept once per (version, body) in OUT_PREFIX.N (N: the thread), so that tools/bench/load can check
-- every distinct answer against the reference of its version, and counts how often each was seen.
-- Items pages carry a timeStamp (the time of the request), blanked before comparing; school records
-- their snapshot_version, which must equal the header's, then blanked.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests = {}
local index = 0
local out
local seen = {}
responses, failures, unversioned, mismatched, distinct = 0, 0, 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      local headers = {}
      -- Tiles are asked for with gzip, as map clients do (the server keeps them compressed); the
      -- rest as identity, so that the items pages' timeStamp can be blanked.
      if line:find("^/tiles/.+%.mvt$") then headers["Accept-Encoding"] = "gzip" end
      table.insert(requests, wrk.format("GET", line, headers))
    end
  end
  out = assert(io.open(args[2] .. "." .. id, "wb"))
  index = (id * 7919) % #requests
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  responses = responses + 1
  local version = headers["Coldspot-Snapshot"] or headers["coldspot-snapshot"]
  if status ~= 200 then
    failures = failures + 1
    if failures <= 20 then
      out:write(string.format("F %d %d\n", status, #body), body, "\n")
      out:flush()
    end
    return
  end
  if not version then
    unversioned = unversioned + 1
    return
  end
  -- School records say which version they were made from: it must be the one the header claims.
  if body:find('"snapshot_version":', 1, true) then
    if body:match('"snapshot_version":(%d+)') ~= version then
      mismatched = mismatched + 1
    end
    body = body:gsub('"snapshot_version":%d+', '"snapshot_version":0')
  end
  if body:find('"timeStamp":"', 1, true) then
    body = body:gsub('"timeStamp":"[^"]*"', '"timeStamp":""', 1)
  end
  local key = version .. "\n" .. body
  local count = seen[key]
  if count then
    seen[key] = count + 1
  else
    seen[key] = 1
    distinct = distinct + 1
    out:write(string.format("B %s %d\n", version, #body), body, "\n")
    out:flush()
  end
end

function done(summary, latency, requests_)
  -- Counts per thread (how many times each distinct answer was seen) for tools/bench/load.
  local f = assert(io.open(os.getenv("COLDSPOT_LOAD_COUNTS") or "/dev/null", "w"))
  for _, t in ipairs(threads) do
    f:write(string.format("thread %d responses %d failures %d unversioned %d mismatched %d distinct %d\n", t:get("id"),
      t:get("responses"), t:get("failures"), t:get("unversioned"), t:get("mismatched"), t:get("distinct")))
  end
  f:write(string.format("latency_us p50 %d p90 %d p99 %d max %d\n", latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
  f:close()
end
