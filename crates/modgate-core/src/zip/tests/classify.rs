//! `check_files` on files of every kind, checked against x/mod's
//! `CheckFiles` on the same list: Unicode case folding (Kelvin sign, sigma
//! forms; no full folding of ß), symbolic links, pipes and directories,
//! `lstat` failures (also on a go.mod), an absolute path, Windows-reserved
//! names, the pre-1.24 vendor rules, and a root vs. nested LICENSE size.

use std::io::{self, Cursor, Read};

use crate::zip::{FileInfo, FileKind, ModuleFile, check_files};

struct Fake {
    name: &'static str,
    kind: FileKind,
    size: u64,
    lstat_error: Option<&'static str>,
    data: &'static str,
}

fn fake(name: &'static str) -> Fake {
    Fake {
        name,
        kind: FileKind::Regular,
        size: 0,
        lstat_error: None,
        data: "",
    }
}

impl ModuleFile for Fake {
    fn path(&self) -> &[u8] {
        self.name.as_bytes()
    }

    fn lstat(&self) -> io::Result<FileInfo> {
        match self.lstat_error {
            Some(e) => Err(io::Error::other(e)),
            None => Ok(FileInfo {
                kind: self.kind,
                size: self.size,
            }),
        }
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(Cursor::new(self.data.as_bytes())))
    }
}

#[test]
fn check_files_matches_x_mod() {
    let kind = |name, kind| Fake { kind, ..fake(name) };
    let failing = |name, e| Fake {
        lstat_error: Some(e),
        ..fake(name)
    };
    let sized = |name, size| Fake { size, ..fake(name) };
    let files = [
        Fake {
            data: "module m\n\ngo 1.23\n",
            ..fake("go.mod")
        },
        fake("k.go"),
        fake("\u{212a}.go"),
        fake("σ.go"),
        fake("Σ.go"),
        fake("ς.go"),
        fake("ss.go"),
        fake("ß.go"),
        kind("link.go", FileKind::Symlink),
        kind("pipe", FileKind::Other),
        kind("dir", FileKind::Directory),
        fake("dir/x.go"),
        failing("broken.go", "lstat broken.go: permission denied"),
        kind("sub/GO.MOD", FileKind::Symlink),
        fake("sub/s.go"),
        failing("other/Go.Mod", "lstat failed"),
        fake("other/o.go"),
        fake("/abs.go"),
        fake("a/vendor/b/c.go"),
        fake("vendor/modules.txt"),
        fake("vendor/vendor.go"),
        fake("x/vendor/y.go"),
        fake("CON.go"),
        fake("con/x.go"),
        fake("a~1.go"),
        sized("LICENSE", (16 << 20) + 1),
        sized("sub2/LICENSE", (16 << 20) + 1),
    ];
    let invalid = "other/Go.Mod: lstat failed
\u{212a}.go: case-insensitive file name collision: \"k.go\" and \"\u{212a}.go\"
Σ.go: case-insensitive file name collision: \"σ.go\" and \"Σ.go\"
ς.go: case-insensitive file name collision: \"σ.go\" and \"ς.go\"
broken.go: lstat broken.go: permission denied
/abs.go: file path is not relative
CON.go: malformed file path \"CON.go\": \"CON\" disallowed as path element component on Windows
con/x.go: malformed file path \"con/x.go\": \"con\" disallowed as path element component on Windows
LICENSE: LICENSE file too large (max size is 16777216 bytes)";
    let want = format!(
        "valid:
go.mod
k.go
σ.go
ss.go
ß.go
dir/x.go
sub/s.go
other/o.go
vendor/modules.txt
vendor/vendor.go
a~1.go
sub2/LICENSE

omitted:
link.go: file is a symbolic link
pipe: not a regular file
dir: not a regular file
sub/GO.MOD: file is a symbolic link
a/vendor/b/c.go: file is in vendor directory
x/vendor/y.go: file is in vendor directory

invalid:
{invalid}
"
    );
    let cf = check_files(&files);
    assert_eq!(cf.to_string(), want);
    assert_eq!(cf.err().unwrap_err().to_string(), invalid);
}
