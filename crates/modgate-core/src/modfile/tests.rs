use super::*;

fn shared_dir() -> std::path::PathBuf {
    if let Ok(d) = std::env::var("MODGATE_SHARED") {
        return std::path::PathBuf::from(d);
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

#[test]
fn golden_syntax() {
    let dir = shared_dir().join("testdata/golang-mod/modfile/testdata");
    for sub in ["", "work"] {
        let d = dir.join(sub);
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !(name.ends_with(".golden") || name.ends_with(".in")) {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            let fs = parse_syntax(&name, &data).unwrap();
            let out = format(&fs);
            if name.ends_with(".golden") {
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&data),
                    "{name}"
                );
            }
        }
    }
}
