"""ICS feeds for the load test's calendars scenario: each answers a small valid feed until the
file named by the second argument exists, then misbehaves as the third argument says (`hang`:
no answer for 10 s; `error`: 500). Connecting needs a good feed; the load then runs while every
sync of every connection hangs or fails.

Usage: feeds.py PORT SWITCH_FILE hang|error
"""
import http.server
import os
import sys
import time

PORT, SWITCH, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//loadtest//EN\r\nX-WR-CALNAME:Load\r\n"
    "BEGIN:VEVENT\r\nUID:load-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\n"
    "DTEND:20260101T110000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


class Feeds(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if os.path.exists(SWITCH):
            if MODE == "hang":
                time.sleep(10)
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Feeds).serve_forever()
