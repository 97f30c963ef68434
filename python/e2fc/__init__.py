# SPDX-License-Identifier: LGPL-2.0-or-later
"""e2fc: read and replay the ext4 fast-commit journal of an image.

A thin ctypes layer over libe2fc.so (libe2fc(3)).  Nothing here writes
to the image: Image opens it read-only, and a replay stays in memory.

    import e2fc
    with e2fc.Image("crash.img") as img:
        for c in img.fast_commits():        # as `e2fcdump --json` has them
            print(c["tid"], c["valid"])
        img.replay()                        # in memory
        print(img.listdir("/"), img.stat("/a").st_size)

Errors raise e2fc.Error (an OSError) or one of its subclasses, with the
library's message: NotFoundError (also a FileNotFoundError),
NotADirectory, IsADirectory, CorruptError (also a ValueError: the
journal or file system holds something e2fc refuses).  The library is
found through $E2FC_LIBRARY, then as libe2fc.so.0 on the loader's path,
then in the directory `make install` put it.
"""

import ctypes
import errno as _errno
import json
import os
import threading

__all__ = ["Image", "apply", "version", "Error", "NotFoundError",
           "NotADirectory", "IsADirectory", "CorruptError",
           "ALL_COMMITS"]

ALL_COMMITS = 0xFFFFFFFF
_SONAME = "libe2fc.so.0"
_E2FC_TABLE = 2138578176        # base of libe2fc's com_err table
_EXT2_TABLE = 2133571328        # base of libext2fs's table (EXT2_ET_*)
_EXT2_BY_ERRNO = {              # libext2fs codes that have an errno
    _EXT2_TABLE + 76: _errno.ENOENT,        # EXT2_ET_FILE_NOT_FOUND
    _EXT2_TABLE + 74: _errno.ENOTDIR,       # EXT2_ET_NO_DIRECTORY
}


class Error(OSError):
    """An error of libe2fc; .code is its com_err code."""

    code = 0


class NotFoundError(Error, FileNotFoundError):
    """No such file or directory in the image."""


class NotADirectory(Error, NotADirectoryError):
    """A path component, or the path given to listdir, is no directory."""


class IsADirectory(Error, IsADirectoryError):
    """read() of a directory."""


class CorruptError(Error, ValueError):
    """The journal or the file system holds data e2fc refuses."""


_BY_ERRNO = {_errno.ENOENT: NotFoundError, _errno.ENOTDIR: NotADirectory,
             _errno.EISDIR: IsADirectory}


def _errno_class(err):
    """Error and the builtin OSError subclass of errno err (as
    OSError(err, ...) picks it: FileExistsError for EEXIST, ...)."""
    cls = _BY_ERRNO.get(err)
    if cls is None:
        base = type(OSError(err, ""))
        cls = Error if base is OSError else type(
            "Error_" + base.__name__, (Error, base), {"__module__": __name__})
        _BY_ERRNO[err] = cls
    return cls


def _load_library():
    names = []
    if os.environ.get("E2FC_LIBRARY"):
        names.append(os.environ["E2FC_LIBRARY"])
    names.append(_SONAME)
    try:
        from . import _install
        names.append(os.path.join(_install.libdir, _SONAME))
    except ImportError:
        pass
    last = None
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            last = e
    raise ImportError("e2fc: cannot load %s: %s" % (_SONAME, last))


_lib = _load_library()
_errcode = ctypes.c_long
_u32 = ctypes.c_uint32
_READDIR_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p,
                               ctypes.POINTER(ctypes.c_char), ctypes.c_uint,
                               _u32, ctypes.c_int)


class _ReplayResult(ctypes.Structure):
    _fields_ = [("log_trans", _u32), ("log_blocks", _u32),
                ("log_revoked", _u32), ("log_bad_csum", _u32),
                ("fc_commits", _u32),
                ("fc_tags", _u32), ("fc_skipped", _u32),
                ("inodes_freed", _u32), ("blocks_freed", ctypes.c_uint64),
                ("blocks_allocated", ctypes.c_uint64),
                ("bad_commit", _u32), ("bad_tag", _u32),
                ("reserved", _u32 * 8)]


class _Stat(ctypes.Structure):
    _fields_ = [("ino", _u32), ("mode", ctypes.c_uint16),
                ("nlink", ctypes.c_uint16), ("uid", _u32), ("gid", _u32),
                ("size", ctypes.c_uint64), ("blocks", ctypes.c_uint64),
                ("atime", ctypes.c_int64), ("mtime", ctypes.c_int64),
                ("ctime", ctypes.c_int64), ("crtime", ctypes.c_int64),
                ("atime_ns", _u32), ("mtime_ns", _u32), ("ctime_ns", _u32),
                ("crtime_ns", _u32), ("rdev", _u32), ("flags", _u32),
                ("reserved", _u32 * 8)]


def _proto(name, *args):
    f = getattr(_lib, name)
    f.argtypes = list(args)
    f.restype = _errcode
    return f


_p = ctypes.c_void_p
_s = ctypes.c_char_p
_sizep = ctypes.POINTER(ctypes.c_size_t)
_open = _proto("e2fc_image_open", _s, _s, ctypes.c_int, ctypes.POINTER(_p))
_json = _proto("e2fc_image_json", _p, ctypes.POINTER(_p), _sizep)
_events = _proto("e2fc_image_events_json", _p, ctypes.POINTER(_p), _sizep)
_plan = _proto("e2fc_image_plan", _p, ctypes.c_uint,
               ctypes.POINTER(_ReplayResult))
_replay = _proto("e2fc_image_replay", _p, ctypes.c_uint,
                 ctypes.POINTER(_ReplayResult))
_stat = _proto("e2fc_image_stat", _p, _s, ctypes.POINTER(_Stat))
_read = _proto("e2fc_image_read", _p, _s, ctypes.c_uint64, _p,
               ctypes.c_size_t, _sizep)
_readlink = _proto("e2fc_image_readlink", _p, _s, _p, ctypes.c_size_t,
                   _sizep)
_readdir = _proto("e2fc_image_readdir", _p, _s, _READDIR_FN, _p)
_save = _proto("e2fc_image_save", _p, _s)
_apply = _proto("e2fc_apply", _s, _s, ctypes.c_uint,
                ctypes.POINTER(_ReplayResult))
_lib.e2fc_image_close.argtypes = [_p]
_lib.e2fc_image_close.restype = None
_lib.e2fc_free.argtypes = [_p]
_lib.e2fc_free.restype = None
_lib.e2fc_error_message.argtypes = [_errcode]
_lib.e2fc_error_message.restype = _s
for _n in ("e2fc_version", "e2fc_ext2fs_version"):
    getattr(_lib, _n).argtypes = []
    getattr(_lib, _n).restype = _s


def version():
    """(e2fc's version, libext2fs's version) of the loaded libraries."""
    return (_lib.e2fc_version().decode(),
            _lib.e2fc_ext2fs_version().decode())


def _raise(code, what, path=None):
    msg = _lib.e2fc_error_message(code).decode(errors="replace")
    err = _EXT2_BY_ERRNO.get(code, code)
    if 0 < err < 256:
        cls = _errno_class(err)
    else:
        table = code & ~0xFF
        cls = CorruptError if table == _E2FC_TABLE else Error
        err = _errno.EIO
    if path is not None:
        e = cls(err, "%s while %s" % (msg, what), os.fsdecode(path))
    else:
        e = cls(err, "%s while %s" % (msg, what))
    e.code = code
    raise e


def _check(code, what, path=None):
    if code:
        _raise(code, what, path)


def _fspath(path, absolute=True):
    if path is None:
        return None
    b = os.fsencode(path)
    if b"\0" in b:
        raise ValueError("e2fc: embedded NUL in path")
    if absolute and not b.startswith(b"/"):
        raise ValueError("e2fc: the path in the image must be absolute: %r"
                         % (path,))
    return b


def _until(until_commit):
    if until_commit is None:
        return ALL_COMMITS
    if not isinstance(until_commit, int) or isinstance(until_commit, bool):
        raise TypeError("until_commit must be an int or None")
    if not 0 <= until_commit < ALL_COMMITS:
        raise ValueError("until_commit out of range: %d" % until_commit)
    return until_commit


def _result(r):
    return {name: getattr(r, name) for name, _ in _ReplayResult._fields_
            if name not in ("bad_commit", "bad_tag", "reserved")}


def _stat_result(st):
    def ns(sec, nsec):
        return sec * 1000000000 + nsec
    fields = (st.mode, st.ino, 0, st.nlink, st.uid, st.gid, st.size,
              st.atime, st.mtime, st.ctime)
    extra = {"st_atime": st.atime + st.atime_ns / 1e9,
             "st_mtime": st.mtime + st.mtime_ns / 1e9,
             "st_ctime": st.ctime + st.ctime_ns / 1e9,
             "st_atime_ns": ns(st.atime, st.atime_ns),
             "st_mtime_ns": ns(st.mtime, st.mtime_ns),
             "st_ctime_ns": ns(st.ctime, st.ctime_ns),
             "st_blocks": st.blocks, "st_rdev": st.rdev,
             "st_flags": st.flags}
    return os.stat_result(fields, extra)


class Image:
    """An ext4 image opened read-only, its journal scanned.

    path: the image (a file or a block device); journal: its external
    journal, if it has one.  Use as a context manager, or close().
    """

    def __init__(self, path, journal=None):
        self._h = None
        self._lock = threading.Lock()
        self.path = os.fsdecode(path)
        h = _p()
        p, j = _fspath(path, False), _fspath(journal, False)
        _check(_open(p, j, 0, ctypes.byref(h)), "opening the image", path)
        self._h = h

    def close(self):
        """Close the image (what a replay made in memory is dropped)."""
        with self._lock:
            if self._h:
                _lib.e2fc_image_close(self._h)
                self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_h", None):
            self.close()

    def _handle(self):
        if not self._h:
            raise ValueError("e2fc: operation on a closed Image")
        return self._h

    def _text(self, fn, what):
        buf, n = _p(), ctypes.c_size_t()
        with self._lock:
            _check(fn(self._handle(), ctypes.byref(buf), ctypes.byref(n)),
                   what, self.path)
        try:
            return ctypes.string_at(buf, n.value).decode()
        finally:
            _lib.e2fc_free(buf)

    def fast_commits(self):
        """The fast commits, a dict each, as in `e2fcdump --json`."""
        doc = json.loads(self._text(_json, "printing the fast commits"))
        return doc["fast_commit"]["commits"]

    def events(self):
        """The events of the fast-commit area, as in `e2fcdump --events
        --json` (a dict an event)."""
        text = self._text(_events, "listing the events")
        return [json.loads(line) for line in text.splitlines() if line]

    def plan(self, until_commit=None):
        """What replay(until_commit) would do, every tag checked, nothing
        changed: the counts as a dict (e2fc_image_plan).  A plan that
        must be refused raises, naming the commit and tag."""
        r = _ReplayResult()
        n = _until(until_commit)
        with self._lock:
            code = _plan(self._handle(), n, ctypes.byref(r))
        _check(code, "checking fast commit %d, tag %d" % (r.bad_commit,
                                                          r.bad_tag),
               self.path)
        return _result(r)

    def replay(self, until_commit=None):
        """Replay the journal in memory (the first until_commit fast
        commits; None: all).  Returns the replay's counts as a dict;
        every read afterwards shows the replayed tree."""
        r = _ReplayResult()
        n = _until(until_commit)
        with self._lock:
            _check(_replay(self._handle(), n, ctypes.byref(r)),
                   "replaying the journal (in memory)", self.path)
        return _result(r)

    def stat(self, path):
        """lstat() of path in the image: an os.stat_result (st_dev 0)."""
        st = _Stat()
        p = _fspath(path)
        with self._lock:
            _check(_stat(self._handle(), p, ctypes.byref(st)),
                   "reading the inode", path)
        return _stat_result(st)

    def listdir(self, path="/"):
        """The names in directory path, without . and .."""
        names = []

        def entry(arg, name, name_len, ino, ftype):
            names.append(os.fsdecode(ctypes.string_at(name, name_len)))
            return 0
        cb = _READDIR_FN(entry)
        p = _fspath(path)
        with self._lock:
            _check(_readdir(self._handle(), p, cb, None),
                   "reading the directory", path)
        return names

    def read(self, path):
        """The contents of regular file path (bytes)."""
        p = _fspath(path)
        chunks, off, got = [], 0, ctypes.c_size_t()
        buf = ctypes.create_string_buffer(1 << 20)
        with self._lock:
            while True:
                _check(_read(self._handle(), p, off, buf, len(buf),
                             ctypes.byref(got)), "reading the file", path)
                if not got.value:
                    break
                chunks.append(buf.raw[:got.value])
                off += got.value
        return b"".join(chunks)

    def readlink(self, path):
        """The target of symbolic link path (str)."""
        p = _fspath(path)
        got = ctypes.c_size_t()
        buf = ctypes.create_string_buffer(65536)
        with self._lock:
            _check(_readlink(self._handle(), p, buf, len(buf),
                             ctypes.byref(got)), "reading the link", path)
        return os.fsdecode(buf.raw[:got.value])

    def save(self, path):
        """Write the image as it reads now to the new sparse file path."""
        p = _fspath(path, False)
        with self._lock:
            _check(_save(self._handle(), p), "saving the image", path)


def apply(path, journal=None, until_commit=None):
    """Recover the image at path in place, crash-safely (what e2fsck-fc
    does before its check).  Returns the replay's counts as a dict."""
    r = _ReplayResult()
    n = _until(until_commit)
    _check(_apply(_fspath(path, False), _fspath(journal, False), n,
                  ctypes.byref(r)), "recovering the journal", path)
    return _result(r)
