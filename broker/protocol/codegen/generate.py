#!/usr/bin/env python3
"""Generates Runnel's Kafka protocol codecs from Kafka's JSON message schemas.

Usage:
  generate.py [--schemas DIR]           write broker/protocol/generated/ and the test helpers
  generate.py [--schemas DIR] --check   exit 1 if the committed output differs (77 if no schemas)

Python 3 standard library only. Output is committed so that building Runnel does not need the
schemas; the `protocol_generated_is_fresh` ctest keeps the two in sync.
"""

import argparse
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from api_keys_emit import emit_api_keys  # noqa: E402
from cpp_emit import emit_message  # noqa: E402
from schema import Message  # noqa: E402
from test_emit import emit_test_cases  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT_DIR = os.path.join(REPO, "broker", "protocol", "generated")
TEST_OUT_DIR = os.path.join(REPO, "tests", "unit", "protocol", "generated")
DEFAULT_SCHEMAS = os.path.normpath(os.path.join(REPO, "..", "shared", "kafka-protocol", "messages"))
SKIP = 77  # ctest SKIP_RETURN_CODE


def load_messages(schema_dir):
    msgs = []
    for path in sorted(glob.glob(os.path.join(schema_dir, "*.json"))):
        try:
            msgs.append(Message(path))
        except Exception as e:  # report which schema, then fail
            raise SystemExit(f"{os.path.basename(path)}: {e}")
    return msgs


def render_all(msgs):
    """Returns {absolute path: text} for every generated file."""
    files = {}
    for m in msgs:
        h, cc = emit_message(m, os.path.basename(m.path))
        files[os.path.join(OUT_DIR, m.file_stem() + ".h")] = h
        files[os.path.join(OUT_DIR, m.file_stem() + ".cc")] = cc
    for name, text in emit_api_keys(msgs).items():
        files[os.path.join(OUT_DIR, name)] = text
    for name, text in emit_test_cases(msgs).items():
        files[os.path.join(TEST_OUT_DIR, name)] = text
    return files


def existing_outputs():
    out = set()
    for d in (OUT_DIR, TEST_OUT_DIR):
        for ext in ("*.h", "*.cc"):
            out.update(glob.glob(os.path.join(d, ext)))
    return out


def check(files):
    stale = []
    for path, text in sorted(files.items()):
        try:
            with open(path, encoding="utf-8") as fh:
                if fh.read() != text:
                    stale.append(path)
        except FileNotFoundError:
            stale.append(path + " (missing)")
    stale += sorted(p + " (not generated any more)" for p in existing_outputs() - set(files))
    for p in stale:
        print("out of date:", os.path.relpath(p.split(" ")[0], REPO), *p.split(" ")[1:])
    if stale:
        print("run: python3 broker/protocol/codegen/generate.py  (or: ninja regen-protocol)")
        return 1
    print(f"generated protocol code is up to date ({len(files)} files)")
    return 0


def write(files):
    os.makedirs(OUT_DIR, exist_ok=True)
    os.makedirs(TEST_OUT_DIR, exist_ok=True)
    for p in existing_outputs() - set(files):
        os.remove(p)
    changed = 0
    for path, text in files.items():
        try:
            with open(path, encoding="utf-8") as fh:
                if fh.read() == text:
                    continue
        except FileNotFoundError:
            pass
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        changed += 1
    print(f"wrote {changed} of {len(files)} files")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--schemas", default=DEFAULT_SCHEMAS, help="Kafka messages/ directory")
    ap.add_argument("--check", action="store_true", help="verify committed output is fresh")
    args = ap.parse_args()
    if not os.path.isdir(args.schemas):
        print(f"schema directory {args.schemas} not found; nothing to do")
        return SKIP if args.check else 1
    files = render_all(load_messages(args.schemas))
    return check(files) if args.check else write(files)


if __name__ == "__main__":
    sys.exit(main())
