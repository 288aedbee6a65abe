-- Each request opens a ticket through the REST API for a seeded customer.
local token = os.getenv("TOKEN")
local customers = tonumber(os.getenv("CUSTOMERS"))
local counter = 0
math.randomseed(os.time())

request = function()
  counter = counter + 1
  local body = string.format(
    '{"subject": "Load test %d", "body": "The printer on floor %d stopped printing.", "requester": "customer%d@bench.example"}',
    counter, math.random(1, 9), math.random(0, customers - 1))
  return wrk.format("POST", "/api/v1/tickets", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
