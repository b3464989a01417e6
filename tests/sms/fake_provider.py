#!/usr/bin/env python3
"""A fake SMS provider for tests and the benchmark, speaking Twilio's or Vonage's Messages API.

It takes texts as the real API does (basic auth, Twilio's form or Vonage's JSON), records them,
answers with planned statuses, and posts status callbacks and inbound messages to the service
signed as the real provider signs them: Twilio's X-Twilio-Signature computed by the `twilio`
package's own RequestValidator, Vonage's JWT (HS256, payload_hash) by PyJWT. Neither signer is
ours, so the service's verification is checked against independent code.

A request carrying an idempotency key (I-Twilio-Idempotency-Token or Idempotency-Key) that was
seen before is answered with the first answer and records nothing new.

Control endpoints (JSON):
  GET  /_messages                  every text taken, in order
  POST /_plan     [{...}, ...]     answers for the next sends, in order: {"status": 500},
                                   {"status": 429, "retry_after": 1}, {"status": 400, "code": 21610},
                                   {"hang": 3} (take the text, then answer after 3 s)
  POST /_status   {"id", "status", "error_code"?, "bad_signature"?, "iat"?}
                                   post a status callback to the service
  POST /_inbound  {"from", "to"?, "body", "bad_signature"?, "iat"?}
                                   post an inbound text to the service
("iat": the Vonage token's issue time, for a service on a test clock.)
Both posting endpoints answer {"status": <the service's status>, "body": <its body>}.

Run: fake_provider.py --flavor twilio|vonage --port N --app http://127.0.0.1:M --account A
     --token T [--signature-secret S] [--public URL]; prints "ready <port>" when listening.
"""

import argparse
import base64
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from twilio.request_validator import RequestValidator

LOCK = threading.Lock()
MESSAGES = []
PLAN = []
SEEN = {}


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class Provider(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    args = None

    def log_message(self, *_):
        pass

    def reply(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def authorized(self):
        expected = "Basic " + base64.b64encode(
            f"{self.args.account}:{self.args.token}".encode()
        ).decode()
        return self.headers.get("Authorization") == expected

    def do_GET(self):
        if self.path == "/_messages":
            with LOCK:
                return self.reply(200, list(MESSAGES))
        self.reply(404, {"message": "not found"})

    def do_POST(self):
        raw = self.body()
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_plan":
            with LOCK:
                PLAN.extend(json.loads(raw))
            return self.reply(204)
        if path == "/_status":
            return self.reply(200, self.callback(json.loads(raw)))
        if path == "/_inbound":
            return self.reply(200, self.inbound(json.loads(raw)))
        twilio = path.startswith("/2010-04-01/Accounts/") and path.endswith("/Messages.json")
        vonage = path == "/v1/messages"
        if not (twilio or vonage):
            return self.reply(404, {"message": "not found"})
        if not self.authorized():
            return self.reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if twilio:
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            to, sender, text = form.get("To"), form.get("From") or form.get("MessagingServiceSid"), form.get("Body")
        else:
            data = json.loads(raw)
            to, sender, text = "+" + data["to"], data["from"], data["text"]
        key = self.headers.get("I-Twilio-Idempotency-Token") or self.headers.get("Idempotency-Key")
        with LOCK:
            if key and key in SEEN:
                status, answer = SEEN[key]
                return self.reply(status, answer)
            plan = PLAN.pop(0) if PLAN else {}
        if "status" in plan and plan["status"] >= 300:
            status = plan["status"]
            headers = {"Retry-After": str(plan["retry_after"])} if "retry_after" in plan else None
            if twilio:
                answer = {"code": plan.get("code", 20500), "message": plan.get("message", "planned failure"),
                          "more_info": "https://www.twilio.com/docs/errors/%s" % plan.get("code", 20500),
                          "status": status}
            else:
                answer = {"type": "https://developer.vonage.com/api-errors#planned", "title": "Planned failure",
                          "detail": plan.get("message", "planned failure"), "instance": str(uuid.uuid4())}
            return self.reply(status, answer, headers=headers)
        message_id = ("SM" + uuid.uuid4().hex) if twilio else str(uuid.uuid4())
        with LOCK:
            MESSAGES.append({"id": message_id, "to": to, "from": sender, "body": text, "key": key,
                             "status_callback": form.get("StatusCallback") if twilio else None})
        if twilio:
            status, answer = 201, {"sid": message_id, "status": "queued", "to": to, "body": text}
        else:
            status, answer = 202, {"message_uuid": message_id}
        if key:
            with LOCK:
                SEEN[key] = (status, answer)
        if "hang" in plan:
            # Taken, then answered too late: the client gives up, and must not send it twice.
            time.sleep(plan["hang"])
        self.reply(status, answer)

    def twilio_post(self, path, params, bad):
        # Signed for the address the service is known by, sent where it listens (a proxy between).
        signed = (self.args.public or self.args.app).rstrip("/") + path
        signature = RequestValidator("not-the-token" if bad else self.args.token).compute_signature(signed, params)
        url = self.args.app.rstrip("/") + path
        status, body = post(url, urllib.parse.urlencode(params).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        return {"status": status, "body": body}

    def vonage_post(self, path, payload, bad, iat):
        url = self.args.app.rstrip("/") + path
        body = json.dumps(payload).encode()
        claims = {"iat": int(time.time()) if iat is None else iat,
                  "jti": str(uuid.uuid4()), "iss": "Vonage",
                  "payload_hash": hashlib.sha256(body).hexdigest(), "api_key": self.args.account,
                  "application_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}
        secret = "not-the-secret" if bad else self.args.signature_secret
        token = jwt.encode(claims, secret, algorithm="HS256")
        status, answer = post(url, body, {"Content-Type": "application/json",
                                           "Authorization": "Bearer " + token})
        return {"status": status, "body": answer}

    def callback(self, req):
        bad = req.get("bad_signature", False)
        with LOCK:
            message = next((m for m in MESSAGES if m["id"] == req["id"]), {"to": req.get("to", "")})
        if self.args.flavor == "twilio":
            params = {"MessageSid": req["id"], "SmsSid": req["id"], "MessageStatus": req["status"],
                      "SmsStatus": req["status"], "To": message["to"], "From": self.args.number,
                      "AccountSid": self.args.account, "ApiVersion": "2010-04-01"}
            if req.get("error_code"):
                params["ErrorCode"] = str(req["error_code"])
            return self.twilio_post("/v1/sms/twilio/status", params, bad)
        payload = {"message_uuid": req["id"], "to": message["to"].lstrip("+"), "from": self.args.number.lstrip("+"),
                   "timestamp": "2027-01-01T10:00:00.000Z", "status": req["status"], "channel": "sms"}
        if req.get("error_code"):
            payload["error"] = {"type": "https://developer.nexmo.com/api-errors/messages-olympus#%s" % req["error_code"],
                                "title": int(req["error_code"]), "detail": "planned"}
        return self.vonage_post("/v1/sms/vonage/status", payload, bad, req.get("iat"))

    def inbound(self, req):
        bad = req.get("bad_signature", False)
        to = req.get("to", self.args.number)
        if self.args.flavor == "twilio":
            sid = "SM" + uuid.uuid4().hex
            params = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": self.args.account,
                      "From": req["from"], "To": to, "Body": req["body"], "NumMedia": "0", "NumSegments": "1",
                      "SmsStatus": "received", "ApiVersion": "2010-04-01"}
            return self.twilio_post("/v1/sms/twilio/inbound", params, bad)
        payload = {"channel": "sms", "message_uuid": str(uuid.uuid4()), "to": to.lstrip("+"),
                   "from": req["from"].lstrip("+"), "timestamp": "2027-01-01T10:00:00Z",
                   "message_type": "text", "text": req["body"]}
        return self.vonage_post("/v1/sms/vonage/inbound", payload, bad, req.get("iat"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavor", choices=["twilio", "vonage"], required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app", default="http://127.0.0.1:8080")
    parser.add_argument("--account", default="AC00000000000000000000000000000000")
    parser.add_argument("--token", default="test-auth-token")
    parser.add_argument("--signature-secret", default="test-signature-secret")
    parser.add_argument("--number", default="+15005550006")
    parser.add_argument("--public", default=None, help="the service's public URL (Twilio signs it)")
    Provider.args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", Provider.args.port), Provider)
    server.daemon_threads = True
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
