"""The NDJSON answer of a streamed /v1/generate, written by its own thread.

Generation runs under the model lock and hands each finished completion to `put`, which only queues it: a
client that stops reading stalls this writer, never the model. A write blocked past the socket's timeout, or
any socket error, marks the client gone; the next `put` then raises ClientGone so that generation stops early.
"""
from __future__ import annotations

import json
import queue
import threading
from typing import Callable


class ClientGone(Exception):
    """The streaming client disconnected or stopped reading; generation is abandoned."""


_END = object()


class StreamWriter:
    def __init__(self, write: Callable[[bytes], None], start: Callable[[], None], on_gone: Callable[[str], None]):
        """`start` sends the status line and headers, `write` one chunk of bytes; both run on the writer thread."""
        self._write, self._start, self._on_gone = write, start, on_gone
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.gone = threading.Event()

    @property
    def started(self) -> bool:
        return self._thread is not None

    def open(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ndjson-writer", daemon=True)
        self._thread.start()

    def put(self, obj: dict) -> None:
        """Queue one line; raises ClientGone once the client is gone."""
        if self.gone.is_set():
            raise ClientGone()
        self._queue.put((json.dumps(obj) + "\n").encode())

    def close(self) -> bool:
        """Queue the end of the stream and wait for the writer; False when the client went away."""
        if self._thread is None:
            return True
        self._queue.put(_END)
        self._thread.join()
        return not self.gone.is_set()

    def _run(self) -> None:
        try:
            self._start()
            while True:
                data = self._queue.get()
                self._write(b"0\r\n\r\n" if data is _END else b"%X\r\n%s\r\n" % (len(data), data))
                if data is _END:
                    return
        except OSError as err:  # reset, broken pipe, or a write blocked past the socket timeout
            self.gone.set()
            self._on_gone(f"{type(err).__name__}: {err}")
