"""Parses Kafka's JSON message schemas into a small model the emitters walk.

The schema format is described in Kafka's messages/README.md. Only what affects the wire format
(and the C++ shape of a message) is modelled here; documentation-only keys such as "about",
"entityType", "mapKey" and "ignorable" are read but not used.
"""

import json
import re

INF = 0x7FFF  # open-ended version range ("3+")

PRIMITIVES = {
    "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64",
    "string", "bytes", "uuid", "records",
}

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char", "class",
    "concept", "const", "continue", "default", "delete", "do", "double", "else", "enum", "explicit",
    "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "operator", "or", "private", "protected",
    "public", "register", "requires", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "template", "this", "throw", "true", "try", "typedef", "typename", "union",
    "unsigned", "using", "virtual", "void", "volatile", "while", "xor",
}


class Versions:
    """An inclusive version range; empty for "none"."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @staticmethod
    def parse(text):
        text = str(text).strip()
        if text == "none":
            return Versions(1, 0)
        if text.endswith("+"):
            return Versions(int(text[:-1]), INF)
        if "-" in text:
            lo, hi = text.split("-")
            return Versions(int(lo), int(hi))
        return Versions(int(text), int(text))

    def empty(self):
        return self.lo > self.hi

    def contains(self, v):
        return self.lo <= v <= self.hi

    def intersect(self, other):
        return Versions(max(self.lo, other.lo), min(self.hi, other.hi))

    def __repr__(self):
        if self.empty():
            return "none"
        return f"{self.lo}+" if self.hi == INF else f"{self.lo}-{self.hi}"


def snake_case(name):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    s = s.lower()
    return s + "_" if s in CPP_KEYWORDS else s


class Field:
    def __init__(self, spec, msg):
        self.name = spec["name"]
        self.member = snake_case(self.name)
        self.type = spec["type"]
        self.versions = Versions.parse(spec["versions"])
        self.nullable = Versions.parse(spec.get("nullableVersions", "none"))
        self.tag = spec.get("tag")
        self.tagged = Versions.parse(spec.get("taggedVersions", "none"))
        self.default = spec.get("default")
        # Only RequestHeader.ClientId overrides flexibility today ("none": never compact).
        fv = spec.get("flexibleVersions")
        self.flexible = Versions.parse(fv) if fv is not None else None
        self.is_array = self.type.startswith("[]")
        self.elem = self.type[2:] if self.is_array else self.type
        self.struct = None  # StructDef when the (element) type is a struct
        if self.elem not in PRIMITIVES:
            if "fields" in spec:
                self.struct = StructDef(self.elem, spec["fields"], self.versions, msg)
                msg.inline_structs.append(self.struct)
            else:
                self.struct_ref = self.elem  # resolved against commonStructs later
        if self.tag is not None and self.tagged.empty():
            raise ValueError(f"{msg.name}.{self.name}: tag without taggedVersions")

    def nullable_any(self):
        return not self.nullable.empty()

    def is_tagged_at(self, v):
        return self.tag is not None and self.tagged.contains(v)


class StructDef:
    def __init__(self, name, field_specs, versions, msg):
        self.name = name
        self.versions = versions
        self.fields = [Field(f, msg) for f in field_specs]
        self.common = False
        self.parent = None  # enclosing StructDef (None for the message or a common struct)

    def children(self):
        """Structs defined inline by this struct's fields, in declaration order."""
        return [f.struct for f in self.fields if f.struct is not None and not f.struct.common]


class Message:
    def __init__(self, path):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        spec = json.loads(text)
        self.path = path
        self.name = spec["name"]
        self.kind = spec["type"]  # request | response | header | data
        self.api_key = spec.get("apiKey")
        self.listeners = spec.get("listeners", [])
        self.latest_unstable = bool(spec.get("latestVersionUnstable", False))
        self.valid = Versions.parse(spec["validVersions"])
        self.flexible = Versions.parse(spec.get("flexibleVersions", "none"))
        self.inline_structs = []
        self.common_structs = []
        for cs in spec.get("commonStructs", []):
            sd = StructDef(cs["name"], cs["fields"], Versions.parse(cs["versions"]), self)
            sd.common = True
            self.common_structs.append(sd)
        self.root = StructDef(self.name, spec["fields"], self.valid, self)
        self._resolve()

    def _resolve(self):
        by_name = {s.name: s for s in self.common_structs}
        for s in self.all_structs():
            for f in s.fields:
                if f.struct is not None:
                    f.struct.parent = s
                    continue
                ref = getattr(f, "struct_ref", None)
                if ref is not None:
                    if ref not in by_name:
                        raise ValueError(f"{self.name}.{f.name}: unknown struct type {ref}")
                    f.struct = by_name[ref]
        self.common_structs = self._topo_sorted(self.common_structs)
        self._check_names()

    def _topo_sorted(self, commons):
        """Common structs may use each other; C++ needs a definition before use."""
        done, order = set(), []

        def visit(s, stack):
            if s.name in done:
                return
            if s.name in stack:
                raise ValueError(f"{self.name}: recursive struct {s.name}")
            for inner in self._walk(s):
                for f in inner.fields:
                    if f.struct is not None and f.struct.common and f.struct is not s:
                        visit(f.struct, stack | {s.name})
            done.add(s.name)
            order.append(s)

        for s in commons:
            visit(s, set())
        return order

    def _check_names(self):
        # A nested C++ class may not share its enclosing class's name.
        for s in self.all_structs():
            p = s.parent
            while p is not None:
                if p.name == s.name:
                    raise ValueError(f"{self.name}: struct {s.name} nested in its namesake")
                p = p.parent
            if s is not self.root and s.name == self.name:
                raise ValueError(f"{self.name}: struct named like its message")

    @staticmethod
    def _walk(s):
        yield s
        for c in s.children():
            yield from Message._walk(c)

    def all_structs(self):
        """Every struct definition: common structs, then the root and its inline structs."""
        out = []
        for cs in self.common_structs:
            out.extend(self._walk(cs))
        out.extend(self._walk(self.root))
        return out

    def file_stem(self):
        return snake_case(self.name).rstrip("_")
