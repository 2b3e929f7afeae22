#!/usr/bin/env python3
"""A stand-in for a police dispatch system in the demo: accepts slagboom's
webhook POSTs on 127.0.0.1 and prints one line per alert it receives."""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            alert = json.loads(body)["alert"]
            print(f"webhook: {alert['state']:8} {alert['rule']:16} "
                  f"{alert['incident_count']:3} incidents "
                  f"delivery={self.headers.get('X-Slagboom-Delivery', '?')}",
                  flush=True)
            self.send_response(200)
        except (ValueError, KeyError):
            self.send_response(400)
        self.end_headers()

    def do_GET(self):  # readiness probe for demo.sh
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8099
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
