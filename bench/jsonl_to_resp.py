#!/usr/bin/env python3
"""Turns a workflow-keeper JSON Lines snapshot into the Redis protocol for `redis-cli --pipe`:
one `SET document_workflow:<id> <state> PXAT <expiry>` per line, the state as compact JSON (what the
worker writes too). Streams line by line; memory stays flat."""
import json
import sys
from datetime import datetime, timezone

prefix = sys.argv[1] if len(sys.argv) > 1 else "document_workflow:"
out = sys.stdout.buffer


def bulk(data: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(data), data)


for line in sys.stdin.buffer:
    record = json.loads(line)
    key = (prefix + record["thread_id"]).encode()
    value = json.dumps(record["state"], separators=(",", ":"), ensure_ascii=False).encode()
    expires = record.get("expires_at")
    if expires:
        at = datetime.fromisoformat(expires.replace("Z", "+00:00"))
        pxat = str(int(at.astimezone(timezone.utc).timestamp() * 1000)).encode()
        out.write(b"*5\r\n" + bulk(b"SET") + bulk(key) + bulk(value) + bulk(b"PXAT") + bulk(pxat))
    else:
        out.write(b"*5\r\n" + bulk(b"SET") + bulk(key) + bulk(value) + bulk(b"EX") + bulk(b"86400"))
