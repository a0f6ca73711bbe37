"""Checkpoints over HTTP stay inside the server's --checkpoint-root, and a checkpoint is data, never code: a
crafted pickle is refused unread, paths outside the root (absolute, `..`, a symlink inside the root pointing out,
a symlinked file in a checkpoint) are refused with 403, and the server keeps serving."""
import json
import os
import shutil

import pytest
import torch

from server_process import call, start, stop

TINY = '{"n_layer": 1, "n_head": 2, "d_model": 16, "context": 32}'


class MakeDirectoryWhenUnpickled:
    """What an attacker would put in model.pt: unpickling it calls os.mkdir(path)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("ckroot")


@pytest.fixture(scope="module")
def server(root):
    p, host, port = start("--model-config", TINY, "--checkpoint-root", str(root))
    yield host, port
    assert stop(p) == 0


@pytest.fixture(scope="module")
def saved(server, root):
    """A real checkpoint inside the root, and a copy of it outside."""
    st, out = call(server, "POST", "/v1/checkpoint/save", {"path": "good"})
    assert st == 200 and out["path"] == str(root / "good")
    outside = root.parent / f"{root.name}-outside"
    shutil.copytree(root / "good", outside / "ck")
    return root / "good", outside


def forbidden(server, route, path):
    st, body = call(server, "POST", route, {"path": path})
    err = body["error"]
    assert st == 403 and err["code"] == "CHECKPOINT_PATH_FORBIDDEN" and err["path"] == "path", body
    return err


def test_a_crafted_pickle_is_refused_and_runs_nothing(server, root, saved, tmp_path):
    good, _ = saved
    evil = root / "evil"
    shutil.copytree(good, evil)
    marker = tmp_path / "pwned"
    torch.save({"model": MakeDirectoryWhenUnpickled(str(marker))}, evil / "model.pt")
    st, body = call(server, "POST", "/v1/checkpoint/load", {"path": "evil"})
    assert st == 400 and body["error"]["code"] == "CHECKPOINT_UNSAFE" and body["error"]["path"] == "path", body
    assert not marker.exists()
    assert call(server, "GET", "/v1/health")[0] == 200
    # The file really is an exploit: an unrestricted torch.load runs it.
    torch.load(evil / "model.pt", weights_only=False)
    assert marker.is_dir()


def test_paths_outside_the_root_are_refused_naming_the_root_and_the_flag(server, root, saved):
    _, outside = saved
    err = forbidden(server, "/v1/checkpoint/load", str(outside / "ck"))
    assert str(root) in err["message"] and "--checkpoint-root" in err["message"]
    assert err["details"] == {"root": str(root), "resolved": str(outside / "ck")}
    forbidden(server, "/v1/checkpoint/load", f"../{outside.name}/ck")
    forbidden(server, "/v1/checkpoint/load", f"{root}/good/../../{outside.name}/ck")
    forbidden(server, "/v1/checkpoint/save", "/etc/molrl-should-not-exist")
    forbidden(server, "/v1/checkpoint/save", f"../{outside.name}/new")
    assert not os.path.exists("/etc/molrl-should-not-exist") and not (outside / "new").exists()
    assert call(server, "GET", "/v1/health")[0] == 200


def test_symlinks_inside_the_root_cannot_lead_out(server, root, saved):
    good, outside = saved
    (root / "link").symlink_to(outside, target_is_directory=True)
    forbidden(server, "/v1/checkpoint/load", "link/ck")
    forbidden(server, "/v1/checkpoint/save", "link/new")
    assert not (outside / "new").exists()
    # a checkpoint directory inside the root whose model.pt is a symlink to a file outside
    mixed = root / "mixed"
    shutil.copytree(good, mixed)
    (mixed / "model.pt").unlink()
    (mixed / "model.pt").symlink_to(outside / "ck" / "model.pt")
    forbidden(server, "/v1/checkpoint/load", "mixed")
    victim = outside / "victim"
    victim.write_text("keep me")
    (mixed / "optimizer.pt").unlink()
    (mixed / "optimizer.pt").symlink_to(victim)
    forbidden(server, "/v1/checkpoint/save", "mixed")
    assert victim.read_text() == "keep me"
    st, out = call(server, "POST", "/v1/checkpoint/load", {"path": str(good)})
    assert st == 200 and out["path"] == str(good)


def test_the_default_root_is_the_working_directory(tmp_path):
    p, host, port = start("--model-config", TINY, cwd=tmp_path)
    try:
        st, out = call((host, port), "POST", "/v1/checkpoint/save", {"path": "here"})
        assert st == 200 and out["path"] == str(tmp_path / "here") and (tmp_path / "here" / "state.json").is_file()
        forbidden((host, port), "/v1/checkpoint/save", str(tmp_path.parent / "there"))
    finally:
        assert stop(p) == 0


def test_a_nul_byte_in_a_path_is_a_bad_request(server):
    st, body = call(server, "POST", "/v1/checkpoint/save", {"path": "a\u0000b"})
    assert st == 400 and body["error"]["code"] == "BAD_REQUEST" and json.dumps(body).count("NUL") == 1
