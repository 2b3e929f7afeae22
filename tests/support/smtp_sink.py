#!/usr/bin/python3
"""A real SMTP server for the email tests, on 127.0.0.1 and a free port.

Usage: smtp_sink.py OUT_DIR

Prints "listening PORT" once it accepts connections, then "received PATH"
for every mail it takes, written as is to OUT_DIR/N.eml.  Recipients whose
local part starts with "reject" are refused with 550, with "later" with
451, so tests can see permanent and transient failures.
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@")[0]
        if local.startswith("reject"):
            return "550 5.1.1 no such mailbox"
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.out_dir, f"{self.count}.eml")
        content = envelope.original_content or envelope.content
        with open(path, "wb") as f:
            f.write(content)
        print(f"received {path} from={envelope.mail_from} "
              f"to={','.join(envelope.rcpt_tos)}", flush=True)
        return "250 2.0.0 accepted"


async def main(out_dir):
    sink = Sink(out_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"listening {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
