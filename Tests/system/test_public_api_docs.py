"""Every public symbol of the modules an app builds on (GraphQLEngine, GraphQLHTTP, Server, GraphQLFCGI) has a doc
comment: they are the library's API (`import GraphQLFCGI`)."""
import glob
import os
import re

from stack import ROOT

MODULES = ["GraphQLEngine", "GraphQLHTTP", "Server", "GraphQLFCGI"]
DECLARATION = re.compile(r"\s*public (static |mutating |final |indirect |nonisolated )*(func|var|let|struct|enum|class|init|typealias|protocol|case)\b")


def undocumented():
    found = []
    for module in MODULES:
        for path in sorted(glob.glob(os.path.join(ROOT, "Sources", module, "**", "*.swift"), recursive=True)):
            lines = open(path).read().split("\n")
            for index, line in enumerate(lines):
                if not DECLARATION.match(line):
                    continue
                above = index - 1
                while above >= 0 and lines[above].strip().startswith("@"):
                    above -= 1
                if above < 0 or not lines[above].strip().startswith("///"):
                    found.append(f"{os.path.relpath(path, ROOT)}:{index + 1}: {line.strip()[:100]}")
    return found


def test_every_public_symbol_has_a_doc_comment():
    missing = undocumented()
    assert not missing, f"{len(missing)} public symbols without a /// comment:\n" + "\n".join(missing)
