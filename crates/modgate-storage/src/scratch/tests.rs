use super::*;

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

async fn read(s: &ScratchStorage, k: &Key) -> Bytes {
    s.get(k)
        .await
        .unwrap()
        .unwrap()
        .into_bytes(k)
        .await
        .unwrap()
}

#[tokio::test]
async fn small_objects_stay_in_memory_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let s = ScratchStorage::with_limits(dir.path(), 100, 250);
    for i in 0..3 {
        let k = key(&format!("m/@v/v1.0.{i}.mod"));
        s.put_bytes(&k, Bytes::from(vec![i as u8; 100]))
            .await
            .unwrap();
    }
    // Two fit the budget; the third went to a file.
    assert_eq!(s.memory_held(), 200);
    assert_eq!(files_in(dir.path()), 1);
    for i in 0..3u8 {
        let k = key(&format!("m/@v/v1.0.{i}.mod"));
        assert_eq!(read(&s, &k).await, Bytes::from(vec![i; 100]));
    }
    // Over the object limit: a file, whatever the budget.
    let big = key("m/@v/v1.0.0.zip");
    s.put_bytes(&big, Bytes::from(vec![7; 101])).await.unwrap();
    assert!(matches!(
        s.get(&big).await.unwrap().unwrap().body,
        Body::File(_)
    ));
    assert_eq!(files_in(dir.path()), 2);

    // Replacing and deleting give memory and files back.
    s.put_bytes(&key("m/@v/v1.0.0.mod"), Bytes::from_static(b"x"))
        .await
        .unwrap();
    assert_eq!(s.memory_held(), 101);
    assert!(s.delete(&big).await.unwrap());
    assert!(s.delete(&key("m/@v/v1.0.2.mod")).await.unwrap());
    assert_eq!(files_in(dir.path()), 0);
    assert!(s.delete(&key("m/@v/v1.0.1.mod")).await.unwrap());
    assert_eq!(s.memory_held(), 1);
}

#[tokio::test]
async fn a_spooled_file_is_taken_over_and_outlives_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let s = ScratchStorage::with_limits(dir.path(), 10, 100);
    let spooled = dir.path().join(".tmp-zip");
    std::fs::write(&spooled, b"zip content, longer than ten bytes").unwrap();
    let k = key("m/@v/v1.0.0.zip");
    let mut up = s.upload(&k).await.unwrap();
    up.write_file(spooled.clone()).await.unwrap();
    assert!(s.stat(&k).await.unwrap().is_none(), "visible before commit");
    let meta = up.commit().await.unwrap();
    assert_eq!(meta.size, 34);
    // The fill removes the name it handed over (a rename's source elsewhere).
    let _ = std::fs::remove_file(&spooled);
    assert_eq!(
        read(&s, &k).await,
        Bytes::from_static(b"zip content, longer than ten bytes")
    );
    let range = s.get_range(&k, 4, 7).await.unwrap().unwrap();
    assert_eq!(range.meta, meta);
    let Body::File(f) = range.body else {
        panic!("a range of a file object is a file range")
    };
    assert_eq!((f.offset(), f.len()), (4, 7));
    // An open reader keeps its content after the object is gone.
    let open = s.get(&k).await.unwrap().unwrap();
    assert!(s.delete(&k).await.unwrap());
    assert_eq!(files_in(dir.path()), 0);
    assert_eq!(open.into_bytes(&k).await.unwrap().len(), 34);
}

#[tokio::test]
async fn uploads_move_to_a_file_when_they_outgrow_memory_and_leave_nothing_when_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let s = ScratchStorage::with_limits(dir.path(), 8, 100);
    let k = key("m/@v/v1.0.0.zip");
    let mut up = s.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"12345")).await.unwrap();
    up.write(Bytes::from_static(b"67890")).await.unwrap();
    up.write(Bytes::from_static(b"abc")).await.unwrap();
    assert_eq!(files_in(dir.path()), 1);
    let meta = up.commit().await.unwrap();
    assert_eq!(meta.size, 13);
    assert_eq!(read(&s, &k).await, Bytes::from_static(b"1234567890abc"));
    assert_eq!(s.memory_held(), 0);

    let k2 = key("m/@v/v1.0.1.zip");
    let mut up = s.upload(&k2).await.unwrap();
    up.write(Bytes::from(vec![1; 50])).await.unwrap();
    drop(up);
    assert!(s.stat(&k2).await.unwrap().is_none());
    assert_eq!(
        files_in(dir.path()),
        1,
        "only the committed object's file is left"
    );
}

#[tokio::test]
async fn conditional_writes_compare_entity_tags() {
    let dir = tempfile::tempdir().unwrap();
    let s = ScratchStorage::new(dir.path());
    let k = key("m/@v/list");
    let Conditional::Written(m) = s.put_if_absent(&k, Bytes::from_static(b"a")).await.unwrap()
    else {
        panic!("absent key not written")
    };
    assert_eq!(
        s.put_if_absent(&k, Bytes::from_static(b"b")).await.unwrap(),
        Conditional::Conflict
    );
    assert_eq!(s.memory_held(), 1, "a conflicting write holds no memory");
    assert!(matches!(
        s.compare_and_swap(&k, Some(&m.etag), Bytes::from_static(b"cc"))
            .await
            .unwrap(),
        Conditional::Written(_)
    ));
    assert_eq!(read(&s, &k).await, Bytes::from_static(b"cc"));
    assert_eq!(s.memory_held(), 2);
}

#[tokio::test]
async fn files_from_elsewhere_are_read_when_small_and_streamed_when_large() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let s = ScratchStorage::with_limits(dir.path(), 8, 100);
    let small = elsewhere.path().join("small");
    let large = elsewhere.path().join("large");
    std::fs::write(&small, b"1234").unwrap();
    std::fs::write(&large, b"0123456789abcdef").unwrap();

    // Four bytes join four in memory: still within the object limit.
    let k = key("m/@v/v1.0.0.mod");
    let mut up = s.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"abcd")).await.unwrap();
    up.write_file(small.clone()).await.unwrap();
    up.commit().await.unwrap();
    assert_eq!(read(&s, &k).await, Bytes::from_static(b"abcd1234"));
    assert_eq!(s.memory_held(), 8);

    // Past the limit: what was in memory and the file go to a spool file.
    let z = key("m/@v/v1.0.0.zip");
    let mut up = s.upload(&z).await.unwrap();
    up.write(Bytes::from_static(b"xy")).await.unwrap();
    up.write_file(large.clone()).await.unwrap();
    up.commit().await.unwrap();
    assert!(matches!(
        s.get(&z).await.unwrap().unwrap().body,
        Body::File(_)
    ));
    assert_eq!(
        read(&s, &z).await,
        Bytes::from_static(b"xy0123456789abcdef")
    );
    // Files outside the spool are read, never taken: both are still there.
    assert!(small.exists() && large.exists());
}
