-- Counts the responses whose status is not EXPECT_STATUS (200 unless set), 3xx included:
-- wrk itself counts only 4xx and 5xx, so a redirect to the login page passed for a page.
-- common.run_wrk appends this file to each request script, which therefore must not
-- define setup, response or done. The last line wrk prints is read back by run_wrk.
local expected = tonumber(os.getenv("EXPECT_STATUS") or "200")
local threads = {}

unexpected = 0
last_unexpected = 0

setup = function(thread)
  table.insert(threads, thread)
end

response = function(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

done = function(summary, latency, requests)
  local count, example = 0, 0
  for _, thread in ipairs(threads) do
    count = count + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then
      example = thread:get("last_unexpected")
    end
  end
  io.write(string.format(
    "status check: expected %d, unexpected %d, example %d, requests %d, bytes %d\n",
    expected, count, example, summary.requests, summary.bytes))
end
