//! `dbss demo` cleans up after itself.

mod support;

use support::{bare, ok, run};

#[test]
fn the_demo_removes_its_temporary_folder_and_says_so() {
    let tmp = support::temp_dir("demo-files");
    let mut demo = bare();
    demo.arg("demo").env("TMPDIR", &tmp);
    let text = ok(&run(demo));
    assert!(text.contains("removed the demo's temporary folder"), "{text}");
    if text.contains("records →") {
        // The export step wrote its files into the folder it then removed.
        assert!(text.contains(&tmp.display().to_string()), "{text}");
    }
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "the demo left {left:?}");
    let _ = std::fs::remove_dir_all(tmp);
}
