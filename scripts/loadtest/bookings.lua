-- wrk script for POST /v2/bookings: every request books a different free 30-minute slot.
--
-- Environment:
--   LOADTEST_EVENT_TYPE_ID  the event type to book
--   LOADTEST_BOOKING_BASE   first slot, as Unix seconds (a UTC midnight well after the seeded month)
--
-- Each wrk thread runs its own Lua state, so a plain global counter cannot be shared. Instead
-- thread n books slot (n * THREAD_STRIDE + its own counter) counted from LOADTEST_BOOKING_BASE:
-- the threads walk disjoint stretches of time and never ask for the same slot. Any 409 is then
-- the server refusing a free slot, not the script colliding with itself.

local THREAD_STRIDE = 100000 -- slots per thread (about 5.7 years of half-hours)
local SLOT_SECONDS = 1800

local threads = {}
local next_id = 0

-- Runs in the main Lua state once per thread, before that thread starts.
function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- Runs in each thread's own state.
function init(args)
   event_type_id = assert(tonumber(os.getenv("LOADTEST_EVENT_TYPE_ID")), "LOADTEST_EVENT_TYPE_ID")
   base = assert(tonumber(os.getenv("LOADTEST_BOOKING_BASE")), "LOADTEST_BOOKING_BASE")
   counter = 0
   overflow = 0
   status_201, status_409, status_other = 0, 0, 0
   first_other = ""
   first_409 = ""
end

function request()
   -- wrk calls request() once on thread 0 to check the script before measuring; that only
   -- skips one slot, which is harmless.
   if counter >= THREAD_STRIDE then
      overflow = 1 -- would run into the next thread's stretch; reported in done()
   end
   local slot = id * THREAD_STRIDE + counter
   counter = counter + 1
   local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + slot * SLOT_SECONDS)
   local body = string.format(
      '{"start":"%s","eventTypeId":%d,"attendee":{"name":"Load Tester","email":"bench%d-%d@example.com","timeZone":"UTC"}}',
      start, event_type_id, id, counter)
   return wrk.format("POST", "/v2/bookings", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
   if status == 201 then
      status_201 = status_201 + 1
   elseif status == 409 then
      status_409 = status_409 + 1
      if first_409 == "" then first_409 = body end
   else
      status_other = status_other + 1
      if first_other == "" then first_other = status .. " " .. body end
   end
end

-- Runs in the main state after the run; collects every thread's counters. The lines starting
-- with "loadtest_" are read by summarize.py.
function done(summary, latency, requests)
   local c201, c409, cother, overflowed = 0, 0, 0, 0
   local first_409_seen, first_other_seen = "", ""
   for _, thread in ipairs(threads) do
      c201 = c201 + thread:get("status_201")
      c409 = c409 + thread:get("status_409")
      cother = cother + thread:get("status_other")
      overflowed = overflowed + thread:get("overflow")
      if first_409_seen == "" then first_409_seen = thread:get("first_409") end
      if first_other_seen == "" then first_other_seen = thread:get("first_other") end
   end
   io.write(string.format("loadtest_status_201 %d\n", c201))
   io.write(string.format("loadtest_status_409 %d\n", c409))
   io.write(string.format("loadtest_status_other %d\n", cother))
   io.write(string.format("loadtest_duration_us %d\n", summary.duration))
   io.write(string.format("loadtest_socket_errors %d\n",
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
   io.write(string.format("loadtest_thread_overflow %d\n", overflowed))
   if first_409_seen ~= "" then io.write("loadtest_first_409 " .. first_409_seen .. "\n") end
   if first_other_seen ~= "" then io.write("loadtest_first_other " .. first_other_seen .. "\n") end
end
