"""Find, cut and put back C function bodies by name.

The labs are cut from the reference sources, which keep changing under
them (a trace point moves, a comment grows), so nothing here counts
lines: a function is found by its name at file scope, its body by
matching braces, with comments, strings, character constants and
preprocessor lines skipped so that a brace inside them never counts.
"""

import re

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def blank_noncode(src):
    """Return src with comments, literals and preprocessor lines blanked.

    Every character keeps its offset (newlines stay), so positions found
    in the blanked text are positions in src. Only code is left to scan
    for braces, parentheses and names.
    """
    out = list(src)
    i, n = 0, len(src)
    line_start = True
    while i < n:
        c = src[i]
        if line_start and c == "#":
            # a preprocessor line, with its backslash continuations
            j = i
            while j < n and not (src[j] == "\n" and src[j - 1] != "\\"):
                j += 1
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if c == "\n":
            line_start = True
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            j += 1
        else:
            i += 1
            continue
        for k in range(i, min(j, n)):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def match_close(code, i, open_c, close_c):
    """Return the offset of the bracket closing the one at code[i]."""
    depth = 0
    for j in range(i, len(code)):
        if code[j] == open_c:
            depth += 1
        elif code[j] == close_c:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced %s%s" % (open_c, close_c))


def depth_map(code):
    """Return the brace depth at every offset of the blanked code."""
    depths = [0] * len(code)
    d = 0
    for i, c in enumerate(code):
        if c == "}":
            d -= 1
        depths[i] = d
        if c == "{":
            d += 1
    return depths


class Function:
    """Where one function definition lies in a source text.

    start: first character of its declaration (return type);
    name_at: its name; params: the text between the parentheses;
    open/close: offsets of the body's braces.
    """

    def __init__(self, name, start, name_at, params, open_, close):
        self.name = name
        self.start = start
        self.name_at = name_at
        self.params = params
        self.open = open_
        self.close = close


def find_function(src, name, code=None):
    """Return the Function defining name at file scope in src.

    Raises KeyError when there is none, so a lab whose manifest names a
    function the reference no longer has fails loudly at cut time.
    """
    if code is None:
        code = blank_noncode(src)
    depths = depth_map(code)
    for m in re.finditer(r"\b%s\b" % re.escape(name), code):
        at = m.start()
        if depths[at] != 0:
            continue
        j = m.end()
        while j < len(code) and code[j].isspace():
            j += 1
        if j >= len(code) or code[j] != "(":
            continue
        close_paren = match_close(code, j, "(", ")")
        k = close_paren + 1
        while k < len(code) and code[k].isspace():
            k += 1
        if k >= len(code) or code[k] != "{":
            continue        # a declaration or a call, not the definition
        start = at
        while start > 0 and code[start - 1] not in ";}":
            start -= 1
        while start < at and code[start].isspace():
            start += 1
        return Function(name, start, at, src[j + 1:close_paren], k,
                        match_close(code, k, "{", "}"))
    raise KeyError("no definition of %s()" % name)


def param_names(params):
    """Return the parameter names of a parameter list, in order."""
    names = []
    depth = 0
    piece = ""
    parts = []
    for c in params:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(piece)
            piece = ""
        else:
            piece += c
    parts.append(piece)
    for p in parts:
        p = p.strip()
        if not p or p == "void" or p == "...":
            continue
        fp = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", p)
        if fp:
            names.append(fp.group(1))
            continue
        p = re.sub(r"\[[^\]]*\]", "", p)
        ids = IDENT.findall(p)
        if ids:
            names.append(ids[-1])
    return names


def return_type(src, fn):
    """Return the declaration's text before the name: type and storage."""
    return " ".join(src[fn.start:fn.name_at].split())


def failing_return(rtype, errno_ok=True):
    """Return the statement a stub ends with: the plainest failure.

    -ENOSYS for the kernel's int-returning calls (-1 in a host file of
    sim/ that does not include <errno.h>), NULL for pointers, false for
    predicates, 0 for counts and indices; none for void.
    """
    words = rtype.replace("*", " * ").split()
    if "*" in words:
        return "return NULL;"
    if "void" in words:
        return None
    if "bool" in words:
        return "return false;"
    if any(w in words for w in ("int", "long", "ssize_t")) and \
            "unsigned" not in words:
        return "return -ENOSYS;" if errno_ok else "return -1;"
    return "return 0;"


def trace_statements(body):
    """Return the VLAB_TRACE(...); statements of a body, as written.

    A cut body keeps its trace points in the stub's comment: the event a
    step reports is part of the contract the golden traces check, and the
    student should not have to guess its fields.
    """
    code = blank_noncode(body)
    out = []
    for m in re.finditer(r"\bVLAB_TRACE\s*\(", code):
        end = match_close(code, m.end() - 1, "(", ")")
        semi = code.find(";", end)
        out.append(body[m.start():semi + 1])
    return out


def body_text(src, fn):
    """Return the body of fn, braces included."""
    return src[fn.open:fn.close + 1]


def replace_body(src, name, new_body):
    """Return src with the body of name replaced by new_body (braces in)."""
    fn = find_function(src, name)
    return src[:fn.open] + new_body + src[fn.close + 1:]


def stub_body(src, fn, note):
    """Return a body for fn that builds cleanly and fails plainly.

    note: the comment's first lines (which lab, where the handout is).
    Every parameter gets a (void) cast; the reference body's trace
    points are quoted in the comment; the statement that fails comes
    from the return type.
    """
    lines = ["{", "\t/*"]
    for text in note:
        lines.append(("\t * " + text).rstrip())
    traces = trace_statements(body_text(src, fn))
    if traces:
        lines.append("\t *")
        lines.append("\t * Report the step after its writes, as the "
                     "reference does:")
        for t in traces:
            for k, tl in enumerate(t.splitlines()):
                lines.append("\t *\t" + ("    " if k else "") + tl.strip())
    lines.append("\t */")
    for p in param_names(fn.params):
        lines.append("\t(void)%s;" % p)
    # the simulator's host files (they include sim/ headers) report a
    # failure as -1 and have ENOSYS only with <errno.h>
    host = '#include "sim/' in src and "#include <errno.h>" not in src
    ret = failing_return(return_type(src, fn), not host)
    if ret:
        lines.append("\t" + ret)
    lines.append("}")
    return "\n".join(lines)


def identifiers(code):
    """Return the set of identifiers in blanked code."""
    return set(IDENT.findall(code))


def keep_used(original, skeleton, cut_names):
    """Add (void) casts so no file-scope static becomes unused.

    A static helper, callback or table that only the cut bodies used
    would be "defined but not used" under -Werror. Such a name is left
    with one occurrence, at file scope (its definition): each cut body
    that used it gets "(void)name;", which also tells the student which
    of the file's own pieces the body is meant to use. Returns the new
    skeleton.
    """
    for name in cut_names:
        ref_fn = find_function(original, name)
        used = identifiers(blank_noncode(body_text(original, ref_fn)))
        code = blank_noncode(skeleton)
        depths = depth_map(code)
        lonely = []
        for ident in sorted(used):
            hits = [m for m in
                    re.finditer(r"\b%s\b" % re.escape(ident), code)]
            if len(hits) != 1 or depths[hits[0].start()] != 0:
                continue
            # a definition: a function, a variable named before its
            # initialiser, size or semicolon, or the one argument of a
            # DEFINE_ macro; a type named once in a prototype (uint64_t
            # addr, struct vring_desc *) is none
            after = code[hits[0].end():].lstrip()[:1]
            before = code[:hits[0].start()].rstrip()
            defined = after in ("(", "[", "=", ";") or \
                (after == ")" and before.endswith("("))  # DEFINE_IDA(x)
            if defined and not re.search(r"\b(struct|union|enum)$", before):
                lonely.append(ident)
        if not lonely:
            continue
        fn = find_function(skeleton, name, code)
        body = body_text(skeleton, fn)
        casts = "".join("\t(void)%s;\n" % i for i in lonely)
        anchor = body.find("*/\n") + 3
        body = body[:anchor] + casts + body[anchor:]
        skeleton = skeleton[:fn.open] + body + skeleton[fn.close + 1:]
    return skeleton


def cut(src, cuts):
    """Return src with each named function's body replaced by a stub.

    cuts: list of (function name, note lines). Functions are found by
    name in the text as it is now, one after the other.
    """
    out = src
    for name, note in cuts:
        fn = find_function(out, name)
        out = out[:fn.open] + stub_body(out, fn, note) + out[fn.close + 1:]
    return keep_used(src, out, [name for name, _ in cuts])


def restore(target, reference, names):
    """Return target with the bodies of names taken from reference."""
    out = target
    for name in names:
        ref = find_function(reference, name)
        out = replace_body(out, name, body_text(reference, ref))
    return out
