# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of the Python module e2fc, run by `make check` against the
built tree (tests/lib/run-lib-tests.sh sets E2FC_LIBRARY and PYTHONPATH;
E2FCDUMP names the built e2fcdump, CORPUS tests/kernel/corpus).
"""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

import e2fc

CORPUS = os.environ.get("CORPUS", os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "kernel", "corpus"))
E2FCDUMP = os.environ.get("E2FCDUMP")
# a 1 KiB-block metadata_csum image: 9 fast commits after 2 transactions,
# 16 files and a symlink made in the fast-commit window
CASE = "1k-256-csum-64-s2-00"
EXT_CASE = "1k-256-csum-64-ext-s108-00"     # external journal


def unpack(case, tmp, name="image"):
    """gunzip a corpus file, its zero blocks left as holes"""
    dst = os.path.join(tmp, case + "." + name)
    zero = bytes(4096)
    with gzip.open(os.path.join(CORPUS, case, name + ".gz")) as i, \
            open(dst, "wb") as o:
        for b in iter(lambda: i.read(4096), b""):
            if b == zero[:len(b)]:
                o.seek(len(b), os.SEEK_CUR)
            else:
                o.write(b)
        o.truncate()
    return dst


def sha1(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def events_supported(path):
    try:
        with e2fc.Image(path) as img:
            img.events()
    except e2fc.Error as e:
        return e.code != 2133571456 + 0 and "not supported" not in str(e)
    return True


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="e2fc-py.")
        self.image = unpack(CASE, self.tmp)
        self.sha = sha1(self.image)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def assertUnchanged(self):
        self.assertEqual(sha1(self.image), self.sha)


class TestOpen(Base):
    def test_version(self):
        ours, ext2fs = e2fc.version()
        self.assertRegex(ours, r"^\d+\.\d+\.\d+")
        self.assertRegex(ext2fs, r"^1\.\d+")

    def test_missing_file(self):
        with self.assertRaises(FileNotFoundError) as cm:
            e2fc.Image(os.path.join(self.tmp, "nothing"))
        self.assertIsInstance(cm.exception, e2fc.Error)
        self.assertIn("while opening the image", str(cm.exception))

    def test_not_ext4(self):
        junk = os.path.join(self.tmp, "junk")
        with open(junk, "wb") as f:
            f.write(b"\x55" * 65536)
        with self.assertRaises(e2fc.Error) as cm:
            e2fc.Image(junk)
        self.assertIn("magic", str(cm.exception).lower())

    def test_closed(self):
        img = e2fc.Image(self.image)
        img.close()
        img.close()
        with self.assertRaises(ValueError):
            img.listdir("/")

    def test_bad_arguments(self):
        with e2fc.Image(self.image) as img:
            with self.assertRaises(ValueError):
                img.stat("a/base0")             # not absolute
            with self.assertRaises(ValueError):
                img.stat("/a\0b")
            with self.assertRaises(ValueError):
                img.replay(until_commit=-1)
            with self.assertRaises(TypeError):
                img.replay(until_commit="3")


class TestScan(Base):
    @unittest.skipUnless(E2FCDUMP, "E2FCDUMP not set")
    def test_fast_commits_as_e2fcdump(self):
        out = subprocess.run([E2FCDUMP, "--json", self.image],
                             stdout=subprocess.PIPE, check=True).stdout
        want = json.loads(out)["fast_commit"]["commits"]
        with e2fc.Image(self.image) as img:
            got = img.fast_commits()
        self.assertEqual(got, want)
        self.assertEqual(len(got), 9)
        self.assertTrue(all(c["valid"] for c in got))

    def test_events(self):
        with e2fc.Image(self.image) as img:
            try:
                ev = img.events()
            except e2fc.Error as e:
                if e.code == 2133571456 + 0 or "not supported" in str(e):
                    self.skipTest("e2fc_events_print_file is not on main "
                                  "yet (helper evt): events() is a stub")
                raise
        self.assertTrue(ev)
        self.assertTrue(all(isinstance(e, dict) for e in ev))


class TestReplay(Base):
    def test_before_and_after(self):
        with e2fc.Image(self.image) as img:
            before = img.listdir("/")
            self.assertNotIn("fill2_0", before)
            st = img.replay()
            after = img.listdir("/")
        self.assertEqual(st["log_trans"], 2)
        self.assertEqual(st["fc_commits"], 9)
        self.assertEqual(st["fc_tags"], 66)
        self.assertNotIn(".", after)
        self.assertNotIn("..", after)
        self.assertEqual(sorted(set(after) - set(before)),
                         ["fill1_%d" % i for i in range(8)] +
                         ["fill2_%d" % i for i in range(8)])
        self.assertUnchanged()

    def test_plan(self):
        with e2fc.Image(self.image) as img:
            plan = img.plan()
            self.assertEqual(img.plan(until_commit=1)["fc_commits"], 1)
            self.assertNotIn("fill2_0", img.listdir("/"))   # nothing done
            st = img.replay()
            self.assertEqual(img.plan()["fc_commits"], 0)   # replayed
        for k in ("log_trans", "log_blocks", "log_revoked", "log_bad_csum",
                  "fc_commits", "fc_tags"):
            self.assertEqual(plan[k], st[k], k)
        self.assertUnchanged()

    def test_until_commit(self):
        with e2fc.Image(self.image) as img:
            st = img.replay(until_commit=1)
            names = img.listdir("/")
        self.assertEqual(st["fc_commits"], 1)
        self.assertIn("fill2_0", names)
        self.assertNotIn("fill2_1", names)

    def test_twice(self):
        with e2fc.Image(self.image) as img:
            img.replay()
            with self.assertRaises(e2fc.Error) as cm:
                img.replay()
        self.assertIn("in progress", str(cm.exception))

    def test_tree(self):
        # the kernel's tree, tests/kernel/corpus/CASE/listing
        with e2fc.Image(self.image) as img:
            img.replay()
            st = img.stat("/a/base0")
            data = img.read("/a/base0")
            link = img.stat("/sym")
            target = img.readlink("/sym")
            root = img.stat("/")
            self.assertEqual(img.stat("/b/base0-link").st_ino, st.st_ino)
        self.assertEqual(st.st_mode, 0o100644)
        self.assertEqual((st.st_nlink, st.st_uid, st.st_gid), (2, 0, 0))
        self.assertEqual(st.st_size, 500)
        self.assertEqual(st.st_mtime_ns, 2000000000)
        self.assertEqual(hashlib.sha1(data).hexdigest()[:16],
                         "96f7d4a0044af4af")
        self.assertEqual(link.st_mode, 0o120777)
        self.assertEqual(link.st_mtime_ns, 1795594432628577745)
        self.assertEqual(link.st_size, len(target))
        self.assertEqual(hashlib.sha1(target.encode()).hexdigest()[:16],
                         "104f9ed0b51a8a0c")
        self.assertEqual(root.st_ino, 2)
        self.assertEqual(root.st_nlink, 5)
        for f in ("st_atime_ns", "st_ctime_ns"):
            self.assertGreater(getattr(st, f), 0)

    def test_errors(self):
        with e2fc.Image(self.image) as img:
            img.replay()
            with self.assertRaises(FileNotFoundError):
                img.stat("/nothing")
            with self.assertRaises(e2fc.NotFoundError):
                img.read("/a/nothing")
            with self.assertRaises(NotADirectoryError):
                img.listdir("/stamp")
            with self.assertRaises(IsADirectoryError):
                img.read("/a")
            with self.assertRaises(OSError):
                img.readlink("/stamp")
            with self.assertRaises(OSError):
                img.read("/sym")

    def test_save(self):
        out = os.path.join(self.tmp, "saved.img")
        with e2fc.Image(self.image) as img:
            img.replay()
            want = {n: img.stat("/" + n).st_ino for n in img.listdir("/")}
            img.save(out)
            with self.assertRaises(FileExistsError):
                img.save(out)
        self.assertUnchanged()
        r = subprocess.run(["e2fsck", "-fn", out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        self.assertLess(os.stat(out).st_blocks * 512, os.stat(out).st_size)
        with e2fc.Image(out) as img:
            self.assertEqual(img.replay()["fc_commits"], 0)
            self.assertEqual({n: img.stat("/" + n).st_ino
                              for n in img.listdir("/")}, want)

    def test_apply_in_place(self):
        with e2fc.Image(self.image) as img:
            img.replay()
            want = sorted(img.listdir("/"))
        st = e2fc.apply(self.image)
        self.assertEqual(st["fc_commits"], 9)
        r = subprocess.run(["e2fsck", "-fn", self.image],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        with e2fc.Image(self.image) as img:
            self.assertEqual(sorted(img.listdir("/")), want)
            self.assertFalse(any(c["valid"] for c in img.fast_commits()))
            self.assertEqual(img.replay()["fc_commits"], 0)

    def test_external_journal(self):
        image = unpack(EXT_CASE, self.tmp)
        journal = unpack(EXT_CASE, self.tmp, "journal")
        sums = sha1(image), sha1(journal)
        with self.assertRaises(e2fc.Error):
            e2fc.Image(image)           # the journal is needed
        with e2fc.Image(image, journal=journal) as img:
            self.assertTrue(img.fast_commits())
            self.assertGreater(img.replay()["fc_commits"], 0)
        self.assertEqual((sha1(image), sha1(journal)), sums)


class TestTwoImages(Base):
    """Two images in one process: each its own replay (the engine and
    the overlay keep no process-global state)."""

    def test_same_file_twice(self):
        with e2fc.Image(self.image) as a, e2fc.Image(self.image) as b:
            before = a.listdir("/")
            b.replay()
            self.assertEqual(a.listdir("/"), before)
            self.assertGreater(len(b.listdir("/")), len(before))
            a.replay()
            self.assertEqual(a.listdir("/"), b.listdir("/"))
        self.assertUnchanged()

    def test_threads(self):
        other = unpack("4k-256-csum-64-s105-00", self.tmp)
        images = [self.image, other] * 2
        got, errors = {}, []

        def run(i, path):
            try:
                with e2fc.Image(path) as img:
                    img.replay()
                    got[i] = sorted(img.listdir("/"))
            except Exception as e:
                errors.append(e)
        threads = [threading.Thread(target=run, args=(i, p))
                   for i, p in enumerate(images)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(got[0], got[2])
        self.assertEqual(got[1], got[3])


if __name__ == "__main__":
    unittest.main()
