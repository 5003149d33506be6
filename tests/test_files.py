"""Reports are written whole or not at all, and a failure names the file."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from linkaudit.exceptions import OutputError
from linkaudit.run.files import write_atomically


def test_a_complete_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n")
    write_atomically(target, lambda stream: stream.write("new\n"))
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_write_keeps_the_last_report_and_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("the last good report\n")

    def fails_halfway(stream: TextIO) -> None:
        stream.write("{" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError) as caught:
        write_atomically(target, fails_halfway)
    assert str(caught.value) == f"{target}: cannot write the report: No space left on device"
    assert target.read_text() == "the last good report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_an_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.json"

    def interrupted(stream: TextIO) -> None:
        stream.write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs, filled up (root with mount permission; skipped otherwise)."""
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(filler)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_no_empty_report(full_disk: Path) -> None:
    target = full_disk / "report.json"
    with pytest.raises(OutputError) as caught:
        write_atomically(target, lambda stream: stream.write("x" * 200_000))
    assert str(caught.value).startswith(f"{target}: cannot write the report: ")
    assert "No space left on device" in str(caught.value)
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_a_pipe_is_written_into_not_replaced(tmp_path: Path) -> None:
    """``--output`` naming a FIFO (a CI step reading the report as it comes): the report
    goes through it and it is still a FIFO afterwards; nothing is left beside it."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomically(fifo, lambda stream: stream.write("the report\n"))
    reader.join(timeout=10)
    assert received == ["the report\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]


def test_a_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    """``--output /dev/null`` run as root must not put a regular file where the machine's
    null device was: a null device of our own (made with mknod, root only) stays one."""
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    write_atomically(null, lambda stream: stream.write("x" * 10_000))
    assert stat.S_ISCHR(null.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_link_to_a_report_stays_a_link(tmp_path: Path) -> None:
    """A report path that is a symbolic link: the file it names gets the report."""
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    write_atomically(link, lambda stream: stream.write("new\n"))
    assert link.is_symlink() and real.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.json", "report.json"]
