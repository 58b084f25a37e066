-- wrk script for the abuse-limits scenario: one anonymous client (X-Forwarded-For 203.0.113.5,
-- believed because the server trusts 127.0.0.1 as its proxy) books as fast as it can, every
-- request a different free slot. Counts the answers by status.
--
-- Environment: LOADTEST_EVENT_TYPE_ID, LOADTEST_BOOKING_BASE (as bookings.lua).

local THREAD_STRIDE = 100000
local SLOT_SECONDS = 1800
local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   event_type_id = assert(tonumber(os.getenv("LOADTEST_EVENT_TYPE_ID")), "LOADTEST_EVENT_TYPE_ID")
   base = assert(tonumber(os.getenv("LOADTEST_BOOKING_BASE")), "LOADTEST_BOOKING_BASE")
   counter = 0
   status_201, status_429, status_other = 0, 0, 0
   first_other = ""
end

function request()
   local slot = id * THREAD_STRIDE + counter
   counter = counter + 1
   local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + slot * SLOT_SECONDS)
   local body = string.format(
      '{"start":"%s","eventTypeId":%d,"attendee":{"name":"Flood","email":"flood%d-%d@example.com","timeZone":"UTC"}}',
      start, event_type_id, id, counter)
   return wrk.format("POST", "/v2/bookings",
      {["Content-Type"] = "application/json", ["X-Forwarded-For"] = "203.0.113.5"}, body)
end

function response(status, headers, body)
   if status == 201 then
      status_201 = status_201 + 1
   elseif status == 429 then
      status_429 = status_429 + 1
   else
      status_other = status_other + 1
      if first_other == "" then first_other = status .. " " .. body end
   end
end

function done(summary, latency, requests)
   local c201, c429, cother, other = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      c201 = c201 + thread:get("status_201")
      c429 = c429 + thread:get("status_429")
      cother = cother + thread:get("status_other")
      if other == "" then other = thread:get("first_other") end
   end
   io.write(string.format("flood_status_201 %d\nflood_status_429 %d\nflood_status_other %d\n",
      c201, c429, cother))
   if other ~= "" then io.write("flood_first_other " .. other .. "\n") end
end
