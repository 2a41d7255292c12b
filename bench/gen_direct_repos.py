#!/usr/bin/env python3
"""Generates the git repositories for bench/direct.

usage: gen_direct_repos.py REPOS_DIR ROOT_DIR HOST

REPOS_DIR gets 20 bare repositories `mNN.git` (served by bench/git_http.py);
ROOT_DIR gets the main module whose go.mod requires the 20 benchmarked modules
at their newest versions. Module paths are `HOST/mNN.git[...]`: the `.git`
suffix lets the go command and modgate find the repository by Go's static
`host/path.vcs` pattern, with no `?go-get=1` request and no DNS lookup.

Every commit has fixed author and committer dates, so the hashes (and the
bytes go downloads) are the same on every run. The 20 modules:
  HOST/m01.git .. HOST/m18.git   tags v1.0.0 v1.1.0 v1.2.0 v1.3.0; mNN at
                                 v1.1.0+ requires m(NN+1) (m18: the two below)
                                 at an older version, so MVS reads several
                                 go.mod files per module
  HOST/m19.git/v2                a major-version module: go.mod at the root
                                 (v1.0.0 is the v1 module), tags v2.0.0 v2.1.0
  HOST/m20.git/sub               a subdirectory module: tags sub/v0.1.0
                                 sub/v0.2.0 (the root module has v1.0.0)
"""
import os
import subprocess
import sys

N = 18  # plain modules; m19 (/v2) and m20 (/sub) make 20


class Repo:
    def __init__(self, work, name):
        self.dir = os.path.join(work, name)
        self.tick = 0
        os.makedirs(self.dir)
        self.git("init", "-q", "-b", "main")

    def git(self, *args):
        date = "@%d +0000" % (1_700_000_000 + self.tick * 3600)
        env = dict(
            os.environ,
            GIT_CONFIG_GLOBAL="/dev/null",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="bench",
            GIT_AUTHOR_EMAIL="bench@example.test",
            GIT_COMMITTER_NAME="bench",
            GIT_COMMITTER_EMAIL="bench@example.test",
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
        )
        subprocess.run(["git", *args], cwd=self.dir, env=env, check=True)

    def write(self, files):
        for path, content in files.items():
            p = os.path.join(self.dir, path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(content)

    def commit(self, *tags):
        self.tick += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "commit %d" % self.tick)
        for t in tags:
            self.git("tag", t)

    def bare(self, dest):
        subprocess.run(
            ["git", "clone", "-q", "--bare", self.dir, dest],
            env=dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1"),
            check=True,
        )


def gomod(path, requires):
    out = "module %s\n\ngo 1.21\n" % path
    if requires:
        out += "\nrequire (\n" + "".join("\t%s %s\n" % r for r in requires) + ")\n"
    return out


def source(pkg, i, n):
    body = "".join(
        "// F%d_%d is generated filler for the benchmark.\nfunc F%d_%d() int { return %d }\n\n"
        % (i, k, i, k, i * 1000 + k)
        for k in range(n)
    )
    return "package %s\n\n%s" % (pkg, body)


def main():
    repos, root, host = sys.argv[1:4]
    work = repos + ".work"
    os.makedirs(repos)
    os.makedirs(work)
    mods = []  # (module path, newest version)

    for i in range(1, N + 1):
        name = "m%02d" % i
        path = "%s/%s.git" % (host, name)
        if i < N:
            deps = lambda v: [("%s/m%02d.git" % (host, i + 1), v)]
        else:
            deps = lambda v: [
                ("%s/m19.git/v2" % host, "v2.0.0"),
                ("%s/m20.git/sub" % host, "v0.1.0"),
            ]
        r = Repo(work, name + ".git")
        r.write({
            "LICENSE": "Benchmark fixture, no rights reserved.\n",
            "README.md": "# %s\n\nA generated module for bench/direct.\n" % name,
            "go.mod": gomod(path, []),
            "%s.go" % name: source(name, 0, 5),
        })
        r.commit("v1.0.0")
        for minor in (1, 2, 3):
            r.write({
                "go.mod": gomod(path, deps("v1.%d.0" % (minor - 1) if i < N else None)),
                "%s.go" % name: source(name, minor, 5 + minor),
                "internal/util/util.go": source("util", minor, 3),
            })
            r.commit("v1.%d.0" % minor)
        r.write({"CHANGES.md": "unreleased work\n"})
        r.commit()  # main is one commit past the newest tag
        r.bare(os.path.join(repos, name + ".git"))
        mods.append((path, "v1.3.0"))

    r = Repo(work, "m19.git")
    r.write({"go.mod": gomod("%s/m19.git" % host, []), "m19.go": source("m19", 0, 4)})
    r.commit("v1.0.0")
    v2 = "%s/m19.git/v2" % host
    r.write({"go.mod": gomod(v2, []), "m19.go": source("m19", 1, 6)})
    r.commit("v2.0.0")
    r.write({"go.mod": gomod(v2, []), "extra.go": source("m19", 2, 3)})
    r.commit("v2.1.0")
    r.bare(os.path.join(repos, "m19.git"))
    mods.append((v2, "v2.1.0"))

    r = Repo(work, "m20.git")
    sub = "%s/m20.git/sub" % host
    r.write({
        "go.mod": gomod("%s/m20.git" % host, []),
        "m20.go": source("m20", 0, 3),
        "sub/go.mod": gomod(sub, []),
        "sub/sub.go": source("sub", 0, 4),
    })
    r.commit("v1.0.0", "sub/v0.1.0")
    r.write({"sub/sub.go": source("sub", 1, 6), "sub/more/more.go": source("more", 1, 2)})
    r.commit("sub/v0.2.0")
    r.bare(os.path.join(repos, "m20.git"))
    mods.append((sub, "v0.2.0"))

    os.makedirs(root)
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(gomod("bench.example/root", mods))
    subprocess.run(["rm", "-rf", work], check=True)


if __name__ == "__main__":
    main()
