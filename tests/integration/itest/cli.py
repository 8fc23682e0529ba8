"""What the client CLIs of the suite share (the Java tool, tests/clients/go, tests/clients/node):
each subcommand prints "key=value ... " lines and ends with a result line ("... ok" on
success); run() runs one to completion and parses that last line."""

import subprocess


def flags(opts: dict, joined: bool = False) -> list[str]:
    """{"max_records": 5, "commit": True} -> ["--max-records", "5", "--commit", "true"] (or
    "--max-records=5" with `joined`); None values are left out."""
    out: list[str] = []
    for k, v in opts.items():
        if v is None:
            continue
        name, value = "--" + k.replace("_", "-"), str(v).lower() if isinstance(v, bool) else str(v)
        out += [f"{name}={value}"] if joined else [name, value]
    return out


def parse(line: str) -> dict:
    """'word k=v k2=v2 flag' -> {'_event': 'word', 'word': True, 'k': 'v', 'k2': 'v2', 'flag': True}.
    `_event` is set only when the first token has no '='."""
    fields: dict = {}
    toks = line.strip().split()
    if toks and "=" not in toks[0]:
        fields["_event"] = toks[0]
    for tok in toks:
        k, sep, v = tok.partition("=")
        if k:
            fields[k] = v if sep else True
    return fields


def run(cmd: list[str], timeout: float) -> tuple[int, dict]:
    """Runs `cmd`; returns (exit code, its last stdout line parsed, with `_stdout`/`_stderr`
    tails added)."""
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    lines = res.stdout.strip().splitlines()
    fields = parse(lines[-1]) if lines else {}
    fields["_stdout"] = res.stdout[-4000:]
    fields["_stderr"] = res.stderr[-4000:]
    return res.returncode, fields


def check(what: str, cmd: list[str], timeout: float, want_ok: bool = True) -> dict:
    """run() that asserts success (exit code 0, and the word `ok` in the result line)."""
    rc, fields = run(cmd, timeout)
    assert rc == 0 and (not want_ok or fields.get("ok") is True), (
        f"{what} failed rc={rc}: {fields['_stdout']}\n{fields['_stderr']}")
    return fields
