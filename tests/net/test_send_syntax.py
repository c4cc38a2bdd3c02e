"""Send keeps a file's own transfer syntax where the peer takes it, else re-encodes cleanly.

``pylinac/EPID-PF-LR.dcm`` is Implicit VR Little Endian with retired Curve Data
(5000,3000), whose dictionary VR is "OB or OW": pydicom cannot write it in Explicit VR
until the ambiguity is resolved. A query against a node without C-FIND says that it
does not support Query/Retrieve.
"""

from __future__ import annotations

import threading

import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE, evt
from pynetdicom.sop_class import RTImageStorage, Verification

from rtviewer.config import Node
from rtviewer.net.query import QueryFilters, find
from rtviewer.net.scu import NetworkError
from rtviewer.net.send import send_files

pytestmark = [pytest.mark.network, pytest.mark.corpus]

EPID = "pylinac/EPID-PF-LR.dcm"


@pytest.fixture
def rt_image_scp():
    """Factory: a pynetdicom SCP taking RT Image in ``syntaxes`` (its own preference order)."""
    servers = []

    def start(syntaxes):
        got: list[tuple[str, pydicom.Dataset]] = []
        lock = threading.Lock()

        def handle(event):
            with lock:
                got.append((str(event.context.transfer_syntax), event.dataset))
            return 0x0000

        ae = AE(ae_title="PEER")
        ae.add_supported_context(RTImageStorage, syntaxes)
        ae.add_supported_context(Verification)
        server = ae.start_server(("127.0.0.1", 0), block=False,
                                 evt_handlers=[(evt.EVT_C_STORE, handle)])
        servers.append(server)
        return Node("peer", "PEER", "127.0.0.1", server.server_address[1]), got

    yield start
    for server in servers:
        server.shutdown()


def test_the_files_own_syntax_is_used_when_the_peer_accepts_it(corpus, rt_image_scp):
    # The peer prefers Explicit VR but also takes Implicit: the file goes as it is.
    node, got = rt_image_scp([ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    result = send_files(node, [corpus / EPID], "RTVIEWER")
    assert [i.status for i in result.items] == [0], result.items
    ((syntax, ds),) = got
    assert syntax == ImplicitVRLittleEndian
    original = pydicom.dcmread(corpus / EPID)
    assert ds[0x50003000].value == original[0x50003000].value
    assert ds.PixelData == original.PixelData


def test_ambiguous_vrs_are_resolved_when_the_peer_needs_explicit_vr(corpus, rt_image_scp):
    node, got = rt_image_scp([ExplicitVRLittleEndian])
    result = send_files(node, [corpus / EPID], "RTVIEWER")
    assert [(i.status, i.message) for i in result.items] == [(0, "stored")]
    ((syntax, ds),) = got
    assert syntax == ExplicitVRLittleEndian
    original = pydicom.dcmread(corpus / EPID)
    curve = ds[0x50003000]
    assert curve.VR == "OW"  # PS3.5 A.1: OB-or-OW data read as Implicit VR is OW
    assert curve.value == original[0x50003000].value
    assert ds.PixelData == original.PixelData


def test_query_to_a_node_without_c_find_says_it_does_not_support_it(rt_image_scp):
    node, _got = rt_image_scp([ExplicitVRLittleEndian])  # storage and echo only
    with pytest.raises(NetworkError, match="does not support Query/Retrieve"):
        find(node, "STUDY", QueryFilters(patient_id="*"), "RTVIEWER")


def test_a_file_without_meta_is_sent_in_the_encoding_its_data_has(corpus, start_scp):
    """ExplVR_LitEndNoMeta.dcm has no file meta: labelled Implicit, pynetdicom refused it."""
    from rtviewer.dicom.files import read_dataset

    path = corpus / "pydicom-testfiles/ExplVR_LitEndNoMeta.dcm"
    ds, findings = read_dataset(path)
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    (no_meta,) = [f for f in findings if f.code == "NO_FILE_META"]
    assert no_meta.assumption == "Explicit VR Little Endian, the encoding found in the data"
    scp = start_scp()
    result = send_files(Node("us", "RTVIEWER", "127.0.0.1", scp.port), [path], "TPS")
    assert [(i.status, i.message) for i in result.items] == [(0, "stored")]
