#!/usr/bin/env python3
"""Independent checker for mail produced by warrantyd.

For each .eml file given:
  * verifies every DKIM-Signature header with dkimpy (rsa-sha256 and
    ed25519-sha256 / RFC 8463), answering key look-ups ONLY from the TXT
    records passed with --dkim-key (no DNS, no network);
  * optionally (--spamassassin) scores the message with SpamAssassin run
    offline (local tests only) and collects the names of the rules that hit.

Prints one JSON object per file on stdout, e.g.
  {"file": "m.eml", "dkim": [{"domain": "oem.test", "selector": "s1",
   "algorithm": "rsa-sha256", "ok": true}], "spam_score": 0.0,
   "spam_rules": ["NO_RECEIVED"]}
A failing signature also carries an "error" string.

Exit status: 0 when every file passed, 1 when any file failed (a reason per
failing file goes to stderr), 2 on a usage error.

Usage:
  check_mail.py --dkim-key SELECTOR._domainkey.DOMAIN=RECORD_FILE [...]
                [--spamassassin [--max-score N]] FILE.eml [FILE.eml ...]

RECORD_FILE holds the TXT record value, e.g. "v=DKIM1; k=rsa; p=MIIB..." or
"v=DKIM1; k=ed25519; p=<base64 of the raw 32-byte public key>". Zone-file
style quoted chunks ("v=DKIM1; k=rsa; " "p=...") are joined.

Requires: dkimpy, pynacl (for ed25519), and the `spamassassin` command for
--spamassassin (Debian package `spamassassin`; its stock rules in
/usr/share/spamassassin are enough, no sa-update needed).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import dkim
    from dkim.util import InvalidTagValueList, parse_tag_value
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write(
        "check_mail.py: dkimpy is not installed (pip install dkimpy pynacl)\n"
    )
    sys.exit(2)

# Flags for running SpamAssassin fully offline and without side effects:
#   -L / --local        local tests only: no DNS, no DNSBL/URIBL, no Razor/Pyzor/DCC
#                       (SpamAssassin's own DKIM check is disabled by it too)
#   -t / --test-mode    keep the X-Spam-Status header and append the rule report
#   -x                  do not create ~/.spamassassin/user_prefs
#   use_bayes 0 / bayes_auto_learn 0: do not read or autolearn into a Bayes DB
SPAMASSASSIN_ARGS = [
    "-L",
    "-t",
    "-x",
    "--cf=use_bayes 0",
    "--cf=bayes_auto_learn 0",
]


def normalize_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def read_txt_record(path: Path) -> bytes:
    """Read a DKIM TXT record value from a file.

    Accepts the bare value (possibly spread over several lines) or zone-file
    style quoted character-strings, which are concatenated as DNS would.
    """
    text = path.read_text(encoding="ascii").strip()
    if '"' in text:
        chunks = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
        text = "".join(chunks)
    else:
        text = " ".join(line.strip() for line in text.splitlines())
    return text.encode("ascii")


class StaticDns:
    """A dkimpy dnsfunc that answers only from the records it was given.

    dkimpy calls dnsfunc(name, timeout=...) with name as bytes such as
    b"selector._domainkey.example.com." (note the trailing dot) and expects
    the TXT record value as bytes, or None/b"" when there is none.
    """

    def __init__(self, records: dict[str, bytes]):
        self.records = records
        self.misses: list[str] = []

    def __call__(self, name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        key = normalize_name(name)
        record = self.records.get(key)
        if record is None:
            self.misses.append(key)
        return record


def parse_dkim_key_arg(arg: str) -> tuple[str, Path]:
    if "=" not in arg:
        raise argparse.ArgumentTypeError(
            f"--dkim-key {arg!r}: expected SELECTOR._domainkey.DOMAIN=PATH"
        )
    name, path = arg.split("=", 1)
    name = normalize_name(name)
    if "._domainkey." not in name:
        raise argparse.ArgumentTypeError(
            f"--dkim-key {arg!r}: name must look like SELECTOR._domainkey.DOMAIN"
        )
    p = Path(path)
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"--dkim-key {arg!r}: no such file {path}")
    return name, p


def _tag(tags: dict, key: bytes) -> str | None:
    v = tags.get(key)
    if v is None:
        return None
    return re.sub(rb"\s+", b"", v).decode("ascii", "replace")


class _Collect(logging.Handler):
    """Collects what dkimpy logs at WARNING and above (it logs, rather than
    raises, key problems such as a missing or malformed public key)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def check_dkim(message: bytes, dns: StaticDns) -> list[dict]:
    logger = logging.getLogger("check_mail.dkimpy")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    collected = _Collect()
    logger.handlers = [collected]
    d = dkim.DKIM(message, logger=logger, minkey=1024)
    sig_headers = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
    results = []
    for idx, raw in enumerate(sig_headers):
        entry: dict = {"domain": None, "selector": None, "algorithm": None, "ok": False}
        try:
            tags = parse_tag_value(raw)
            entry["domain"] = _tag(tags, b"d")
            entry["selector"] = _tag(tags, b"s")
            entry["algorithm"] = _tag(tags, b"a")
        except InvalidTagValueList as e:
            entry["error"] = f"unparsable DKIM-Signature: {e}"
            results.append(entry)
            continue
        before = len(dns.misses)
        collected.messages.clear()
        try:
            ok = bool(d.verify(idx=idx, dnsfunc=dns))
            entry["ok"] = ok
            if not ok:
                entry["error"] = "; ".join(collected.messages) or (
                    "signature does not verify (b= mismatch)"
                )
        except dkim.DKIMException as e:
            entry["error"] = f"{type(e).__name__}: {e}"
        except Exception as e:  # noqa: BLE001 - report, don't crash the batch
            entry["error"] = f"{type(e).__name__}: {e}"
        if not entry["ok"] and len(dns.misses) > before:
            entry["error"] = f"no --dkim-key given for {dns.misses[-1]}"
        results.append(entry)
    return results


def run_spamassassin(message: bytes, sa_cmd: str, timeout: float) -> dict:
    """Score one message offline. Returns {"score", "rules", "details"}."""
    cmd = [sa_cmd, *SPAMASSASSIN_ARGS]
    proc = subprocess.run(
        cmd, input=message, capture_output=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"spamassassin exited {proc.returncode}: "
            f"{proc.stderr.decode('utf-8', 'replace').strip()[:500]}"
        )
    out = proc.stdout
    msg = email.message_from_bytes(out, policy=email.policy.compat32)
    status = msg.get("X-Spam-Status")
    if status is None:
        raise RuntimeError("spamassassin output has no X-Spam-Status header")
    status = re.sub(r"\s+", " ", str(status)).strip()
    m = re.search(r"\bscore=(-?\d+(?:\.\d+)?)", status)
    if not m:
        raise RuntimeError(f"cannot parse score from X-Spam-Status: {status}")
    score = float(m.group(1)) + 0.0  # turn -0.0 into 0.0
    t = re.search(r"\btests=(.*?)(?:\s+\w+=|$)", status)
    rules: list[str] = []
    if t:
        rules = [r.strip() for r in t.group(1).split(",") if r.strip()]
        rules = [r for r in rules if r.lower() != "none"]
    # Per-rule points from the -t report table (used for human-readable reasons).
    details: list[tuple[float, str]] = []
    text = out.decode("utf-8", "replace")
    table = text.split("---- ----------------------", 1)
    if len(table) == 2:
        for line in table[1].splitlines()[1:]:
            rm = re.match(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\b", line)
            if rm:
                details.append((float(rm.group(1)), rm.group(2)))
            elif line.strip() and not line.startswith(" "):
                break
    return {"score": score, "rules": rules, "details": details}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Verify DKIM signatures (offline) and optionally score mail "
        "with SpamAssassin (local tests only)."
    )
    ap.add_argument(
        "--dkim-key",
        action="append",
        default=[],
        type=parse_dkim_key_arg,
        metavar="SELECTOR._domainkey.DOMAIN=FILE",
        help="serve the DKIM TXT record in FILE for that name (repeatable)",
    )
    ap.add_argument(
        "--spamassassin",
        action="store_true",
        help="also score each message with `spamassassin -L -t` (offline)",
    )
    ap.add_argument(
        "--max-score",
        type=float,
        default=0.0,
        help="highest SpamAssassin score that passes (default 0.0)",
    )
    ap.add_argument(
        "--spamassassin-cmd",
        default="spamassassin",
        help="spamassassin executable (default: spamassassin on PATH)",
    )
    ap.add_argument(
        "--spamassassin-timeout",
        type=float,
        default=120.0,
        help="seconds allowed for one spamassassin run (default 120)",
    )
    ap.add_argument("files", nargs="+", metavar="FILE.eml")
    args = ap.parse_args(argv)

    records: dict[str, bytes] = {}
    for name, path in args.dkim_key:
        try:
            records[name] = read_txt_record(path)
        except (OSError, UnicodeDecodeError) as e:
            ap.error(f"cannot read DKIM record file {path}: {e}")

    sa_cmd = None
    if args.spamassassin:
        sa_cmd = shutil.which(args.spamassassin_cmd)
        if sa_cmd is None:
            ap.error(
                f"{args.spamassassin_cmd!r} not found "
                "(apt-get install -y spamassassin)"
            )

    all_ok = True
    for f in args.files:
        result: dict = {"file": f}
        reasons: list[str] = []
        try:
            message = Path(f).read_bytes()
        except OSError as e:
            result["error"] = str(e)
            print(json.dumps(result), flush=True)
            print(f"{f}: FAIL: cannot read: {e}", file=sys.stderr)
            all_ok = False
            continue

        dns = StaticDns(records)
        sigs = check_dkim(message, dns)
        result["dkim"] = sigs
        for i, s in enumerate(sigs):
            if not s["ok"]:
                reasons.append(
                    f"DKIM signature #{i} d={s['domain']} s={s['selector']} "
                    f"a={s['algorithm']} failed: {s.get('error')}"
                )
        if records and not sigs:
            reasons.append("no DKIM-Signature header (a --dkim-key was given)")

        if sa_cmd is not None:
            try:
                sa = run_spamassassin(message, sa_cmd, args.spamassassin_timeout)
                result["spam_score"] = sa["score"]
                result["spam_rules"] = sa["rules"]
                if sa["score"] > args.max_score:
                    hits = ", ".join(
                        f"{name}({pts + 0.0:+g})" for pts, name in sa["details"]
                    ) or ",".join(sa["rules"])
                    reasons.append(
                        f"spam score {sa['score']:g} > max {args.max_score:g}: {hits}"
                    )
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                result["spam_score"] = None
                result["spam_rules"] = None
                reasons.append(f"spamassassin failed: {e}")

        print(json.dumps(result), flush=True)
        if reasons:
            all_ok = False
            for r in reasons:
                print(f"{f}: FAIL: {r}", file=sys.stderr)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
