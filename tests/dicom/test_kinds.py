"""One kind of object, one enum; one registry of readers; adding a kind touches few files.

Adding an RT object kind (docs/ARCHITECTURE.md, "An RT object kind") touches these files
and no others that list every kind; the tests below fail when a kind is missing from one.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest
from factories.mutations import SOURCES

import rtviewer
from rtviewer.dicom import readers
from rtviewer.dicom.sop_classes import SOP_CLASSES, lookup
from rtviewer.model.kind import KIND_TEXT, Kind

PACKAGE = Path(rtviewer.__file__).parent

#: The existing files a new kind is added to (besides its new model and reader modules,
#: ``model/NAME.py`` and ``dicom/NAME.py``, and its tests).
FILES_A_NEW_KIND_TOUCHES = ("model/kind.py", "dicom/sop_classes.py", "dicom/readers.py")


def test_every_kind_is_read_or_says_why_not() -> None:
    assert set(readers.READERS) | set(readers.NOT_READ) == set(Kind)
    assert not set(readers.READERS) & set(readers.NOT_READ)
    assert set(KIND_TEXT) == set(Kind)


def test_every_sop_class_has_a_kind_and_every_kind_but_other_a_sop_class() -> None:
    assert all(isinstance(c.kind, Kind) for c in SOP_CLASSES.values())
    assert {c.kind for c in SOP_CLASSES.values()} == set(Kind) - {Kind.OTHER}
    assert lookup("1.2.3.4.5").kind is Kind.OTHER


def test_each_reader_registered_once_under_its_own_kinds() -> None:
    for kind, reader in readers.READERS.items():
        assert kind in reader.kinds


@pytest.mark.corpus
@pytest.mark.parametrize("source", SOURCES, ids=[s.key for s in SOURCES])
def test_each_reader_returns_its_model_type(source, corpus: Path) -> None:
    """The registry's model type is what its reader returns, on a corpus file of the kind."""
    path = corpus / source.relative_path
    kind = lookup(str(_sop_class(path))).kind
    reader = readers.READERS[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = reader.read((path,) if kind is Kind.IMAGE else path)
    assert isinstance(obj, reader.model)


def _sop_class(path: Path) -> str:
    import pydicom

    return str(pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID"])
               .SOPClassUID)


def test_only_those_files_name_every_kind() -> None:
    """No other module keeps its own table over all the kinds (as the About box, the
    conformance text, the network tables and two reader registries used to); modules
    that treat a few kinds their own way (the summary line, the references) name those."""
    every = []
    for path in PACKAGE.rglob("*.py"):
        named = {node.attr for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                 and node.value.id == "Kind"}
        if named >= {k.name for k in Kind} - {"OTHER"}:
            every.append(path.relative_to(PACKAGE).as_posix())
    assert sorted(every) == sorted(FILES_A_NEW_KIND_TOUCHES)


def test_no_module_names_an_object_kind_by_its_string() -> None:
    """Kinds are compared as :class:`Kind` members; the words are model/kind.py's alone."""
    words = {k.value for k in Kind} - {"image", "other", "registration"}  # common words
    named = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() == "model/kind.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value in words for c in node.comparators) \
                    and isinstance(node.left, ast.Attribute) and node.left.attr == "kind" \
                    and not (isinstance(node.left.value, ast.Name)
                             and node.left.value.id in ("r", "ref")):
                named.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert named == []
