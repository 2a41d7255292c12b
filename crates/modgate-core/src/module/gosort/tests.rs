//! Direct tests of the pdqsort port's building blocks; whole-sort agreement
//! with Go is checked in module/tests.rs (`sort_ties_like_go`) and by the
//! differential runs described in the branch report.

use super::*;

fn sorter(data: &mut [u32]) -> Sorter<'_, u32, impl Fn(&u32, &u32) -> Ordering> {
    Sorter {
        data,
        cmp: |a: &u32, b: &u32| a.cmp(b),
    }
}

#[test]
fn heap_sort_sorts_a_subrange() {
    let mut v: Vec<u32> = (0..40).rev().collect();
    sorter(&mut v).heap_sort(5, 35);
    let mut want: Vec<u32> = (0..40).rev().collect();
    want[5..35].sort();
    assert_eq!(v, want);
}

#[test]
fn choose_pivot_hints() {
    let mut inc: Vec<u32> = (0..60).collect();
    assert!(sorter(&mut inc).choose_pivot(0, 60).1 == Hint::Increasing);
    let mut dec: Vec<u32> = (0..60).rev().collect();
    assert!(sorter(&mut dec).choose_pivot(0, 60).1 == Hint::Decreasing);
    let mut short: Vec<u32> = vec![3, 1, 2, 0, 5, 4, 7];
    // Below 8 elements the pivot is static and nothing is compared.
    let (pivot, hint) = sorter(&mut short).choose_pivot(0, 7);
    assert_eq!(pivot, 2); // a + (7/4)*2
    assert!(hint == Hint::Increasing);
}

#[test]
fn partition_and_partition_equal() {
    let mut v = vec![5, 9, 1, 7, 3, 8, 2, 6, 4];
    let (mid, already) = sorter(&mut v).partition(0, 9, 0);
    assert_eq!(v[mid], 5);
    assert!(!already);
    assert!(v[..mid].iter().all(|&x| x < 5) && v[mid + 1..].iter().all(|&x| x >= 5));

    let mut e = vec![0, 2, 3, 2, 2, 4, 2];
    // Elements from index 1 are all >= 2; the 2s are gathered first.
    let mid = sorter(&mut e).partition_equal(1, 7, 1);
    assert_eq!(mid, 5);
    assert!(e[1..mid].iter().all(|&x| x == 2) && e[mid..].iter().all(|&x| x > 2));
}

#[test]
fn break_patterns_is_deterministic() {
    let mut a: Vec<u32> = (0..64).collect();
    let mut b = a.clone();
    sorter(&mut a).break_patterns(0, 64);
    sorter(&mut b).break_patterns(0, 64);
    assert_eq!(a, b);
    assert_ne!(a, (0..64).collect::<Vec<u32>>());
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(sorted, (0..64).collect::<Vec<u32>>());
}

#[test]
fn inconsistent_comparator_never_panics() {
    // A comparator that is not an order at all must still terminate without
    // panicking, as Go's does.
    let mut v: Vec<u32> = (0..500).map(|i| (i * 7919) % 263).collect();
    sort_func(&mut v, |a, b| {
        if (a ^ b) % 3 == 0 {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    });
    assert_eq!(v.len(), 500);
}
