"""C++ spellings of schema types, defaults and version conditions (shared by the emitters)."""

from schema import INF, Versions

SCALARS = {
    "bool": "bool", "int8": "int8_t", "int16": "int16_t", "uint16": "uint16_t",
    "int32": "int32_t", "uint32": "uint32_t", "int64": "int64_t", "float64": "double",
    "uuid": "Uuid",
}
INT_BOUNDS = {
    "int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
    "uint16": (0, (1 << 16) - 1), "int32": (-(1 << 31), (1 << 31) - 1),
    "uint32": (0, (1 << 32) - 1), "int64": (-(1 << 63), (1 << 63) - 1),
}


def cond(vr, msg):
    """A C++ boolean expression over `version` for "version in vr", given msg's valid range."""
    r = vr.intersect(msg.valid)
    if r.empty():
        return "false"
    parts = []
    if r.lo > msg.valid.lo:
        parts.append(f"version >= {r.lo}")
    if r.hi < msg.valid.hi:
        parts.append(f"version <= {r.hi}")
    return " && ".join(parts) if parts else "true"


def untagged_versions(f):
    """Versions in which f is a regular (positional) field."""
    if f.tag is None:
        return f.versions
    if f.tagged.lo <= f.versions.lo:
        return Versions(1, 0)
    return Versions(f.versions.lo, min(f.versions.hi, f.tagged.lo - 1))


def compact_expr(f, msg):
    if f.flexible is not None:
        return cond(f.flexible.intersect(msg.flexible), msg)
    return "flexible"


def elem_cpp(f):
    if f.struct is not None:
        return f.struct.name
    if f.elem in SCALARS:
        return SCALARS[f.elem]
    return {"string": "std::string", "bytes": "std::vector<uint8_t>", "records": "RecordsRef"}[f.elem]


def is_null_default(f):
    return str(f.default).strip() == "null" if f.default is not None else False


def member_type(f):
    t = elem_cpp(f)
    if f.is_array:
        t = f"std::vector<{t}>"
    if f.elem == "records" and not f.is_array:
        return t
    if f.nullable_any() and (f.is_array or f.elem in ("string", "bytes") or f.struct is not None):
        return f"std::optional<{t}>"
    return t


def is_optional(f):
    return member_type(f).startswith("std::optional<")


def int_literal(text, typ):
    s = str(text).strip().lower()
    neg = s.startswith("-")
    body = s[1:] if neg else s
    if body.startswith("0x"):
        v = int(body, 16)
    elif len(body) > 1 and body.startswith("0"):
        v = int(body, 8)
    else:
        v = int(body)
    v = -v if neg else v
    lo, hi = INT_BOUNDS[typ]
    if not lo <= v <= hi:
        raise ValueError(f"default {text} out of range for {typ}")
    return v


def render_int(v, typ):
    lo, _ = INT_BOUNDS[typ]
    if v == lo and v != 0:
        return f"std::numeric_limits<{SCALARS[typ]}>::min()"
    if typ == "int64" and not -(1 << 31) < v < (1 << 31):
        return f"{v}LL"
    if typ == "uint32":
        return f"{v}U"
    return str(v)


def cpp_string_literal(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % ord(ch))
    return '"' + "".join(out) + '"'


def scalar_default(f):
    """C++ expression for a scalar field's default value."""
    d = f.default
    if f.elem == "bool":
        return "true" if d is not None and str(d).strip().lower() == "true" else "false"
    if f.elem == "float64":
        return repr(float(d)) if d is not None else "0.0"
    if f.elem == "uuid":
        if d not in (None, "", "AAAAAAAAAAAAAAAAAAAAAA"):
            raise ValueError(f"{f.name}: non-zero uuid default unsupported")
        return "Uuid{}"
    return render_int(int_literal(d, f.elem) if d is not None else 0, f.elem)


def member_initializer(f):
    """The `= ...` / `{...}` part of a member declaration (may be empty)."""
    if f.is_array or f.struct is not None or f.elem in ("bytes",):
        if is_optional(f):
            return " = std::nullopt" if is_null_default(f) else "{std::in_place}"
        return ""
    if f.elem == "records":
        return ""  # RecordsRef defaults to null
    if f.elem == "string":
        if is_null_default(f):
            if not is_optional(f):
                raise ValueError(f"{f.name}: null default on a non-nullable string")
            return " = std::nullopt"
        text = "" if f.default is None else str(f.default)
        if is_optional(f):
            return "{std::in_place}" if text == "" else f"{{std::in_place, {cpp_string_literal(text)}}}"
        return "" if text == "" else f" = {cpp_string_literal(text)}"
    if f.elem == "uuid":
        scalar_default(f)  # validates
        return ""
    return f" = {scalar_default(f)}"


def non_default_expr(f, x):
    """True when x (an expression of member_type(f)) differs from the field's default."""
    opt = is_optional(f)
    null_default = is_null_default(f)
    if opt and null_default:
        return f"{x}.has_value()"
    if f.is_array or f.elem == "bytes":
        return f"!({x} && {x}->empty())" if opt else f"!{x}.empty()"
    if f.struct is not None:
        t = f.struct.name
        return f"!({x} && *{x} == {t}{{}})" if opt else f"!({x} == {t}{{}})"
    if f.elem == "records":
        return f"!{x}.is_null"
    if f.elem == "string":
        text = "" if f.default is None else str(f.default)
        if opt:
            return f"!({x} && {x}->empty())" if text == "" else f"!({x} && *{x} == {cpp_string_literal(text)})"
        return f"!{x}.empty()" if text == "" else f"{x} != {cpp_string_literal(text)}"
    if f.elem == "uuid":
        return f"!{x}.is_zero()"
    return f"{x} != {scalar_default(f)}"


def is_open_ended(vr):
    return vr.hi == INF
