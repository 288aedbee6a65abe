-- Each request opens a random ticket page between FIRST and LAST (set in the environment),
-- so the benchmark reads across the whole table, not one cached row.
local first = tonumber(os.getenv("FIRST"))
local last = tonumber(os.getenv("LAST"))
local prefix = os.getenv("PREFIX")
math.randomseed(os.time())

request = function()
  return wrk.format("GET", prefix .. math.random(first, last) .. "/")
end
