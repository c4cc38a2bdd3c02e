"""Opening a path from the desktop: which folder to scan, which file to select."""

from __future__ import annotations

from pathlib import Path

from rtviewer.dicom.open_target import OpenTarget, open_target


def test_a_folder_opens_itself(tmp_path):
    assert open_target(tmp_path) == OpenTarget(tmp_path.resolve(), None)


def test_a_file_opens_its_folder_and_selects_itself(tmp_path):
    dose = tmp_path / "RD.1.dcm"
    dose.write_bytes(b"")
    assert open_target(str(dose)) == OpenTarget(tmp_path.resolve(), dose.resolve())


def test_dicomdir_opens_the_whole_media(tmp_path):
    (tmp_path / "DICOMDIR").write_bytes(b"")
    assert open_target(tmp_path / "DICOMDIR") == OpenTarget(tmp_path.resolve(), None)


def test_file_urls_and_relative_paths(tmp_path, monkeypatch):
    folder = tmp_path / "RT export"
    folder.mkdir()
    assert open_target(folder.as_uri()).folder == folder.resolve()
    monkeypatch.chdir(tmp_path)
    assert open_target("RT export").folder == folder.resolve()


def test_a_corpus_file_opens_the_export_it_belongs_to(corpus):
    plan = next((corpus / "dicompyler-core").glob("*plan*"), None) or next(
        p for p in (corpus / "dicompyler-core").rglob("*") if p.is_file())
    target = open_target(plan)
    assert target.folder == plan.parent.resolve()
    assert target.selected_file == plan.resolve()
    assert Path(target.folder).is_dir()


def test_the_opened_file_selects_its_patient(corpus):
    from rtviewer.dicom.open_target import patient_containing
    from rtviewer.dicom.scan import scan

    plan = corpus / "dicompyler-core" / "rtplan.dcm"
    target = open_target(plan)
    result = scan(target.folder)
    patient = patient_containing(result, target.selected_file)
    assert patient is not None
    assert any(i.path.name == "rtplan.dcm" and i.modality == "RTPLAN"
               for st in patient.studies for se in st.series for i in se.instances)
    assert patient_containing(result, corpus / "dicompyler-core" / "LICENSE.txt") is None
