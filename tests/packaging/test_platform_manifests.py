"""Windows registry files, the Inno Setup script and the macOS Info.plist.

They cannot run here; these tests check what can be checked on Linux: syntax,
the keys named, and that the .reg template and the installer agree.
"""

from __future__ import annotations

import importlib.util
import plistlib
import re
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
WINDOWS = PACKAGING / "windows"
FOLDER_VERB = r"Software\Classes\Directory\shell\rtviewer"


def _render_reg(install_dir: str) -> str:
    spec = importlib.util.spec_from_file_location("render_reg", WINDOWS / "render_reg.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render(install_dir)


def _parse_reg(text: str) -> dict[str, dict[str, str]]:
    """Keys -> {value name ('@' = default): decoded REG_SZ string}."""
    keys: dict[str, dict[str, str]] = {}
    current = None
    header, *lines = text.splitlines()
    assert header == "Windows Registry Editor Version 5.00"
    for line in lines:
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("["):
            current = keys.setdefault(line.strip()[1:-1], {})
            continue
        match = re.fullmatch(r'(@|"(?:[^"\\]|\\.)*")=("(?:[^"\\]|\\.)*")', line.strip())
        assert match and current is not None, f"not a REG_SZ line: {line!r}"
        name = match[1] if match[1] == "@" else _unescape(match[1])
        current[name] = _unescape(match[2])
    return keys


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def test_reg_template_header_and_encoding():
    raw = (WINDOWS / "rtviewer.reg.template").read_bytes()
    assert raw.startswith(b"Windows Registry Editor Version 5.00\r\n")
    raw.decode("ascii")  # regedit reads ANSI or UTF-16; plain ASCII is safe for both
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_reg_opens_folders_and_dcm_files_with_rtviewerw():
    keys = _parse_reg(_render_reg(r"C:\Program Files\rtviewer"))
    command = '"C:\\Program Files\\rtviewer\\rtviewerw.exe" "%1"'
    assert keys[f"HKEY_CURRENT_USER\\{FOLDER_VERB}"]["@"] == "Open with rtviewer"
    assert keys[f"HKEY_CURRENT_USER\\{FOLDER_VERB}\\command"]["@"] == command
    assert keys["HKEY_CURRENT_USER\\Software\\Classes\\.dcm"]["@"] == "rtviewer.dicom"
    assert "rtviewer.dicom" in keys["HKEY_CURRENT_USER\\Software\\Classes\\.dcm\\OpenWithProgids"]
    progid_open = "HKEY_CURRENT_USER\\Software\\Classes\\rtviewer.dicom\\shell\\open\\command"
    assert keys[progid_open]["@"] == command
    assert all(k.startswith("HKEY_CURRENT_USER\\Software\\Classes\\") for k in keys)


def test_reg_rendering_rejects_quotes_and_escapes_backslashes():
    text = _render_reg("D:/Apps/rtviewer/")
    assert '"\\"D:\\\\Apps\\\\rtviewer\\\\rtviewerw.exe\\" \\"%1\\""' in text
    with pytest.raises(ValueError, match="install_dir"):
        _render_reg('C:\\a"b')


def test_inno_setup_script_names_the_same_keys_and_commands():
    iss = (WINDOWS / "rtviewer.iss").read_text(encoding="utf-8")
    registry = [line for line in iss.splitlines() if line.startswith("Root: HKCU;")]
    iss_keys = {re.search(r'Subkey: "([^"]+)"', line)[1] for line in registry}
    reg_keys = {k.removeprefix("HKEY_CURRENT_USER\\")
                for k in _parse_reg(_render_reg(r"C:\x"))}
    assert iss_keys == reg_keys
    commands = [line for line in registry if line.split('Subkey: "')[1].split('"')[0]
                .endswith("\\command")]
    assert len(commands) == 3
    for line in commands:  # Inno doubles quotes inside a quoted parameter
        assert 'ValueData: """{app}\\rtviewerw.exe"" ""%1"""' in line
    assert "PrivilegesRequired=lowest" in iss
    assert "ChangesAssociations=yes" in iss
    assert 'Source: "..\\..\\dist\\rtviewer\\*"' in iss


def test_info_plist_declares_folders_and_dicom_files():
    with open(PACKAGING / "macos" / "Info.plist", "rb") as fh:
        info = plistlib.load(fh)
    doc_types = {t: d for d in info["CFBundleDocumentTypes"] for t in d["LSItemContentTypes"]}
    assert doc_types["public.folder"]["CFBundleTypeRole"] == "Viewer"
    assert doc_types["org.nema.dicom"]["CFBundleTypeRole"] == "Viewer"
    (dicom,) = [u for u in info["UTImportedTypeDeclarations"]
                if u["UTTypeIdentifier"] == "org.nema.dicom"]
    tags = dicom["UTTypeTagSpecification"]
    assert "dcm" in tags["public.filename-extension"]
    assert tags["public.mime-type"] == ["application/dicom"]
    assert "public.data" in dicom["UTTypeConformsTo"]
    assert info["CFBundleExecutable"] == "rtviewerw"
    assert info["CFBundlePackageType"] == "APPL"


def test_manifests_name_the_vendor_documentation():
    for path in (WINDOWS / "rtviewer.reg.template", WINDOWS / "rtviewer.iss"):
        assert "learn.microsoft.com/en-us/windows/win32/shell/fa-verbs" in path.read_text()
    plist = (PACKAGING / "macos" / "Info.plist").read_text()
    assert "developer.apple.com/documentation/bundleresources" in plist
