"""One catalogue of error codes (`Sources/GraphQLEngine/ErrorCode.swift`): no other source spells a code, the nginx
site's own refusals use the catalogue's, and the README documents every one."""
import glob
import os
import re

from stack import ROOT

CATALOGUE = os.path.join(ROOT, "Sources", "GraphQLEngine", "ErrorCode.swift")


def catalogue():
    return dict((code, name) for name, code in re.findall(r'public static let (\w+) = "([A-Z_]+)"', open(CATALOGUE).read()))


def test_no_other_source_spells_a_code():
    codes = catalogue()
    spelled = []
    for path in glob.glob(os.path.join(ROOT, "Sources", "**", "*.swift"), recursive=True):
        if path == CATALOGUE:
            continue
        for number, line in enumerate(open(path), 1):
            spelled += [f"{os.path.relpath(path, ROOT)}:{number}: {code}"
                        for code in re.findall(r'"([A-Z][A-Z_]+)"', line) if code in codes]
    assert not spelled, "use ErrorCode.<name>:\n" + "\n".join(spelled)


def test_the_nginx_sites_refusals_use_catalogued_codes():
    site = open(os.path.join(ROOT, "nginx", "graphql-fcgi.conf")).read()
    used = set(re.findall(r'"code":"([A-Z_]+)"', site))
    assert used and used <= set(catalogue()), used - set(catalogue())


def test_the_readme_documents_every_code():
    readme = open(os.path.join(ROOT, "README.md")).read()
    missing = [code for code in catalogue() if f"`{code}`" not in readme]
    assert not missing, missing
