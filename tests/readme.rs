//! What the README and the guides state about the crate, checked against the
//! crate: the number of socket options, and the dependency line users paste
//! (its package name and version; `.ci/package` builds it against the packaged
//! crates).

use std::path::Path;

fn read(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The number just before `before` in `text` (e.g. "all 75 socket options").
fn number_before(text: &str, before: &str) -> usize {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("README has no {before:?}"));
    let digits: String = text[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or_else(|e| panic!("no number before {before:?}: {e}"))
}

#[test]
fn readme_counts_the_socket_options_of_this_build() {
    let readme = read("README.md");
    let stable = zmq::SOCKET_OPTIONS.iter().filter(|o| !o.draft).count();
    assert_eq!(
        number_before(&readme, " socket options of libzmq 4.3.5"),
        stable,
        "README's count of socket options (\"all N socket options\") is not this build's"
    );
    let draft = number_before(&readme, "DRAFT ones, feature `draft`");
    let total = number_before(&readme, "with the 32 DRAFT ones");
    assert_eq!(total, stable + draft, "README: total = stable + DRAFT");
    if cfg!(feature = "draft") {
        assert_eq!(
            zmq::SOCKET_OPTIONS.len(),
            total,
            "README's total with `draft`"
        );
    } else {
        assert_eq!(zmq::SOCKET_OPTIONS.len(), stable);
    }
}

#[test]
fn dependency_lines_name_this_package_and_version() {
    let version = env!("CARGO_PKG_VERSION");
    let minor = version.rsplit_once('.').map_or(version, |(head, _)| head);
    let name = env!("CARGO_PKG_NAME");
    let plain = format!(r#"zmq = {{ package = "{name}", version = "{minor}" }}"#);
    let tokio =
        format!(r#"zmq = {{ package = "{name}", version = "{minor}", features = ["tokio"] }}"#);
    let readme = read("README.md");
    assert!(readme.contains(&plain), "README lacks {plain}");
    assert!(readme.contains(&tokio), "README lacks {tokio}");
    assert!(
        read("docs/ASYNC.md").contains(&tokio),
        "ASYNC.md lacks {tokio}"
    );
    assert!(
        read("docs/MIGRATING.md").contains(&plain),
        "MIGRATING.md lacks {plain}"
    );
    // Every dependency line on `zmq` in the README and the async guide names
    // the package (docs/MIGRATING.md also quotes 0.10's `zmq = "0.10"`).
    for file in ["README.md", "docs/ASYNC.md"] {
        for line in read(file).lines() {
            let line = line.trim_start_matches('`');
            if line.starts_with("zmq = ") {
                assert!(
                    line.contains(&format!(r#"package = "{name}""#)),
                    "{file}: {line}"
                );
            }
        }
    }
}
