"""Emits test helpers: for every message, a `fill` function that sets every field present in a
version to a non-default value, and a table of MessageCase entries (tests/unit/protocol/)."""

from cpp_emit import BANNER, qualified
from cpp_types import cond, is_optional

CHUNKS = 6  # test sources, to keep each compile unit moderate


def fill_name(msg, s):
    return "fill_" + qualified(msg, s).replace("::", "_")


FILL_SCALAR = {
    "bool": "true", "int8": "f.int8()", "int16": "f.int16()", "uint16": "f.uint16()",
    "int32": "f.int32()", "uint32": "f.uint32()", "int64": "f.int64()", "float64": "f.float64()",
    "uuid": "f.uuid()", "string": "f.str()", "bytes": "f.bytes()", "records": "f.records()",
}


def fill_value_lines(msg, f, target, out):
    """Lines that assign a non-default value of f's element type to `target`."""
    if f.struct is not None:
        out.append(f"{fill_name(msg, f.struct)}({target}, version, f);")
    elif f.elem == "bool":
        # Kafka's non-default for a bool defaulting to true is false.
        default_true = f.default is not None and str(f.default).strip().lower() == "true"
        out.append(f"{target} = {'false' if default_true else 'true'};")
    else:
        out.append(f"{target} = {FILL_SCALAR[f.elem]};")


def emit_fill(msg, s):
    q = qualified(msg, s)
    out = [f"void {fill_name(msg, s)}({q}& m, int16_t version, Filler& f) {{", "  (void)m;", "  (void)version;",
           "  (void)f;"]
    for f in s.fields:
        vc = cond(f.versions, msg)
        if vc == "false":
            continue
        body = []
        x = f"m.{f.member}"
        if f.is_array:
            vec = f"(*{x})" if is_optional(f) else x
            if is_optional(f):
                body.append(f"{x}.emplace();")
            body.append("for (int i = 0; i < 2; ++i) {")
            body.append(f"  {vec}.emplace_back();")
            inner = []
            fill_value_lines(msg, f, f"{vec}.back()", inner)
            body += ["  " + line for line in inner]
            body.append("}")
        elif f.struct is not None and is_optional(f):
            body.append(f"{x} = {qualified(msg, f.struct)}{{}};")
            body.append(f"{fill_name(msg, f.struct)}(*{x}, version, f);")
        else:
            target = f"{x}" if not is_optional(f) else f"{x}"
            fill_value_lines(msg, f, target, body)
        if vc == "true":
            out += ["  " + line for line in body]
        else:
            out.append(f"  if ({vc}) {{")
            out += ["    " + line for line in body]
            out.append("  }")
    out.append("}")
    return out


def emit_chunk(msgs, index):
    out = [BANNER.format(src="the message schemas"),
           '#include "tests/unit/protocol/message_case.h"', ""]
    for m in msgs:
        out.append(f'#include "broker/protocol/generated/{m.file_stem()}.h"')
    out += ["", "namespace runnel::protocol::test {", "", "namespace {", ""]
    for m in msgs:
        structs = m.all_structs()
        for s in structs:
            out.append(f"void {fill_name(m, s)}({qualified(m, s)}& m, int16_t version, Filler& f);")
        out.append("")
        for s in structs:
            out += emit_fill(m, s) + [""]
    out += ["}  // namespace", "", f"void register_cases_{index}(std::vector<MessageCase>& out) {{"]
    for m in msgs:
        out.append(f'  out.push_back(make_case<{m.name}, {fill_name(m, m.root)}>("{m.name}", '
                   f'"{m.kind}"));')
    out += ["}", "", "}  // namespace runnel::protocol::test", ""]
    return "\n".join(out)


def emit_test_cases(msgs):
    files = {}
    per = (len(msgs) + CHUNKS - 1) // CHUNKS
    chunks = [msgs[i:i + per] for i in range(0, len(msgs), per)]
    for i, chunk in enumerate(chunks):
        files[f"cases_{i}.cc"] = emit_chunk(chunk, i)
    reg = [BANNER.format(src="the message schemas"), '#include "tests/unit/protocol/message_case.h"',
           "", "namespace runnel::protocol::test {", ""]
    reg += [f"void register_cases_{i}(std::vector<MessageCase>& out);" for i in range(len(chunks))]
    reg += ["", "const std::vector<MessageCase>& all_message_cases() {",
            "  static const std::vector<MessageCase> cases = [] {",
            "    std::vector<MessageCase> out;"]
    reg += [f"    register_cases_{i}(out);" for i in range(len(chunks))]
    reg += ["    return out;", "  }();", "  return cases;", "}", "",
            "}  // namespace runnel::protocol::test", ""]
    files["all_cases.cc"] = "\n".join(reg)
    return files
