#!/usr/bin/env python3
"""Fault-injecting SMTP server for warrantyd tests (Python 3.11 + aiosmtpd >= 1.4).

Usage: python3 tests/smtp/fault_server.py --port PORT --dir DIR

Listens on 127.0.0.1:PORT, prints "ready" on stdout once it accepts connections
and runs until SIGTERM/SIGINT. No TLS; AUTH (PLAIN/LOGIN) is offered and any
credentials are accepted. The behaviour is chosen by the local part (before "@")
of each recipient, compared case-insensitively:

  rcpt451           RCPT -> 451 4.3.0 Temporary local problem
  rcpt452           RCPT -> 452 4.2.2 Mailbox full
  rcpt550           RCPT -> 550 5.1.1 <addr>: Recipient address rejected: User unknown
  rcpt421           RCPT -> 421 4.7.0 Try again later, closing  (then the connection is closed)
  drop              RCPT -> the TCP connection is closed without any reply
  data451           RCPT accepted; after the end of DATA -> 451 4.7.1 Greylisted, try again
  data554           RCPT accepted; after the end of DATA -> 554 5.7.1 Message rejected as spam
  slowN             (e.g. slow3) wait N seconds before the final DATA reply, then accept and store
  flakyN.anything   (e.g. flaky2.bob) the first N RCPTs to this exact address get
                    451 4.3.0 Try again later; later ones are accepted and stored
                    (counters are kept in memory per full, lower-cased address)
  anything else     accepted (250) and stored

Storage of accepted messages: the raw message (DATA content as received) is written to
DIR/NNNNNN.eml (six-digit counter, continuing after existing files; written to a
temporary name and renamed atomically), then one JSON line is appended to DIR/log.jsonl:
{"n": N, "mail_from": "...", "rcpt_tos": ["..."], "time": <unix float>}.
When a message has several recipients, DATA-stage behaviours (data451, data554, slowN)
apply if any accepted recipient asks for them (data554 wins over data451; delays add up).
"""
import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
import time
from collections import defaultdict

from aiosmtpd.smtp import SMTP, AuthResult

SLOW = re.compile(r"slow(\d+)")
FLAKY = re.compile(r"flaky(\d+)\..+")
# aiosmtpd logs a deprecation warning on every AUTH; keep stderr quiet.
logging.getLogger("mail.log").addFilter(lambda r: "login_data is deprecated" not in r.getMessage())


def local_part(address):
    return address.rsplit("@", 1)[0].strip().lower()


async def hang_until_cancelled():
    # Called after closing the transport: connection_lost() cancels the session task,
    # so no reply can be pushed by aiosmtpd after we return.
    await asyncio.Event().wait()


class FaultHandler:
    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        existing = [int(f[:6]) for f in os.listdir(directory) if re.fullmatch(r"\d{6}\.eml", f)]
        self.counter = max(existing, default=0)
        self.flaky_seen = defaultdict(int)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = local_part(address)
        if local == "rcpt451":
            return "451 4.3.0 Temporary local problem"
        if local == "rcpt452":
            return "452 4.2.2 Mailbox full"
        if local == "rcpt550":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local == "rcpt421":
            await server.push("421 4.7.0 Try again later, closing")
            server.transport.close()
            await hang_until_cancelled()
        if local == "drop":
            server.transport.close()
            await hang_until_cancelled()
        m = FLAKY.fullmatch(local)
        if m:
            key = address.strip().lower()
            self.flaky_seen[key] += 1
            if self.flaky_seen[key] <= int(m.group(1)):
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        locals_ = [local_part(a) for a in envelope.rcpt_tos]
        delay = sum(int(m.group(1)) for m in map(SLOW.fullmatch, locals_) if m)
        if delay:
            await asyncio.sleep(delay)
        if "data554" in locals_:
            return "554 5.7.1 Message rejected as spam"
        if "data451" in locals_:
            return "451 4.7.1 Greylisted, try again"
        self.store(envelope)
        return "250 OK"

    def store(self, envelope):
        self.counter += 1
        n = self.counter
        final = os.path.join(self.dir, f"{n:06d}.eml")
        tmp = os.path.join(self.dir, f".{n:06d}.eml.tmp")
        content = envelope.original_content
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        with open(tmp, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        line = {"n": n, "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos), "time": time.time()}
        with open(os.path.join(self.dir, "log.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")


def accept_any_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


async def main():
    parser = argparse.ArgumentParser(description="Fault-injecting SMTP server for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()

    handler = FaultHandler(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="fault-smtp.test", enable_SMTPUTF8=True,
                     authenticator=accept_any_login, auth_require_tls=False),
        host="127.0.0.1", port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
