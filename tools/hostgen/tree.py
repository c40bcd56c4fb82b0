"""The tree writer: a host's root directory as files, symlinks and a metadata file.

Everything under a host's root is written through a Tree: regular files;
relative symlinks as sysfs makes them (the link text is the shortest path from
the link's directory to its target); absolute symlinks for values such as the
targets of /proc/PID/fd links; and root/.sriov-doctor-meta.toml for what git
cannot keep (modes, owners, device nodes). Git keeps no empty directories
either: an empty directory that matters holds one empty file named `.gitkeep`,
which is not part of the host and which readers of the tree ignore.
"""

import os
from pathlib import Path


class Tree:
    """A root directory being written; `meta` collects the metadata entries
    (dicts with path, mode, uid, gid and, for device nodes, type, major, minor)."""

    def __init__(self, root):
        self.root = Path(root)
        self.meta = []
        self.dirs = set()  # directories made so far (a big host writes 100,000+ files)

    def p(self, rel):
        """The path of rel, a path relative to the root."""
        return self.root / rel

    def _new(self, rel):
        """The path of rel, with its parent directory made."""
        path = self.root / rel
        if path.parent not in self.dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(path.parent)
        return path

    def file(self, rel, content="", meta=None):
        """A regular file (str content is written as UTF-8); meta: its metadata
        entry (mode, uid, gid) when git's would be wrong."""
        with open(self._new(rel), "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        if meta:
            self.meta.append(dict(path=rel, **meta))

    def link(self, rel, target_rel):
        """Symlink at rel pointing to target_rel (both relative to root); the
        link text is the shortest relative path, as sysfs writes it. Replaces
        a link already at rel."""
        path = self._new(rel)
        text = os.path.relpath(target_rel, os.path.dirname(rel))
        try:
            os.symlink(text, path)
        except FileExistsError:
            path.unlink()
            os.symlink(text, path)

    def abs_link(self, rel, text):
        """Symlink at rel whose text is `text`, as it is (a value, never followed)."""
        os.symlink(text, self._new(rel))

    def empty_dir(self, rel):
        """A directory that exists even when empty (then it holds `.gitkeep`)."""
        self.p(rel).mkdir(parents=True, exist_ok=True)
        if not any(self.p(rel).iterdir()):
            (self.p(rel) / ".gitkeep").write_bytes(b"")

    def chardev(self, rel, major, minor, mode, uid=0, gid=0):
        """A character device node: an empty file with a metadata entry."""
        self.file(rel, b"", meta=dict(mode=mode, uid=uid, gid=gid, type="char",
                                      major=major, minor=minor))

    def write_meta(self):
        """root/.sriov-doctor-meta.toml, entries sorted by path."""
        lines = ["# Metadata git cannot keep (see tests/hosts/README.md).",
                 "# Files without an entry: uid 0, gid 0, git's mode.", ""]
        for e in sorted(self.meta, key=lambda e: e["path"]):
            lines.append("[[entry]]")
            lines.append('path = "%s"' % e["path"])
            lines.append('mode = "%s"' % e["mode"])
            lines.append("uid = %d" % e.get("uid", 0))
            lines.append("gid = %d" % e.get("gid", 0))
            if "type" in e:
                lines.append('type = "%s"' % e["type"])
                lines.append("major = %d" % e["major"])
                lines.append("minor = %d" % e["minor"])
            lines.append("")
        (self.root / ".sriov-doctor-meta.toml").write_text("\n".join(lines))
