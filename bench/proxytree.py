"""Writes module versions into a `file://` GOPROXY tree, for the bench generators."""
import os
import subprocess


def add_version(bin_, data, root, path, version, gomod, time):
    """Adds path@version to the tree at DATA: its `@v/list` line, `.info` (released at
    TIME), `.mod` (GOMOD) and the `.zip` of the sources in ROOT, made by
    `modgate zip create` (BIN_)."""
    v = os.path.join(data, path, "@v")
    os.makedirs(v, exist_ok=True)
    with open(os.path.join(v, "list"), "a+") as f:
        f.seek(0)
        if version not in f.read().split():
            f.write(version + "\n")
    with open(os.path.join(v, version + ".info"), "w") as f:
        f.write(f'{{"Version":"{version}","Time":"{time}"}}\n')
    with open(os.path.join(v, version + ".mod"), "w") as f:
        f.write(gomod)
    subprocess.run(
        [bin_, "zip", "create", root, "--module", path, "--version", version,
         "-o", os.path.join(v, version + ".zip")],
        check=True, stdout=subprocess.DEVNULL)
