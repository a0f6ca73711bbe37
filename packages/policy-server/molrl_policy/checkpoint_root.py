"""Checkpoint paths confined to one directory, the server's `--checkpoint-root`.

A request names a checkpoint directory; a relative path is taken from the root. The path is resolved the way
the file system will follow it (symlinks, `..`), and it, and every checkpoint file already in it, must lie
inside the root: a caller can neither write nor read anywhere else, also not through a symlink the root holds.
"""
from __future__ import annotations

import os
from typing import Sequence

from .errors import ApiError

FLAG = "--checkpoint-root"


class CheckpointRoot:
    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        os.makedirs(self.root, exist_ok=True)

    def inside(self, real: str) -> bool:
        return os.path.commonpath([self.root, real]) == self.root

    def resolve(self, path: str, files: Sequence[str] = ()) -> str:
        """The real directory `path` names; 403 CHECKPOINT_PATH_FORBIDDEN when it, or one of `files` in it, is outside."""
        if "\0" in path:
            raise ApiError(400, "BAD_REQUEST", "path: a file name cannot hold a NUL character", "path")
        real = os.path.realpath(os.path.join(self.root, path))
        if not self.inside(real):
            raise self.forbidden(path, real)
        for name in files:
            f = os.path.join(real, name)
            if os.path.lexists(f) and not self.inside(os.path.realpath(f)):
                raise self.forbidden(os.path.join(path, name), os.path.realpath(f))
        return real

    def forbidden(self, given: str, real: str) -> ApiError:
        return ApiError(403, "CHECKPOINT_PATH_FORBIDDEN",
                        f"checkpoint path {given!r} resolves to {real}, outside the checkpoint root {self.root}: "
                        f"name a directory under it (a relative path is taken from it), or start the server with "
                        f"{FLAG} <dir> holding your checkpoints", "path", {"root": self.root, "resolved": real})
