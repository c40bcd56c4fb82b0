use super::*;

fn meta(kind: EntryKind) -> Option<Metadata> {
    Some(Metadata {
        kind,
        mode: 0o640,
        uid: 7,
        gid: 8,
        device: None,
    })
}

/// What goes in comes out, part for part, whatever is absent or empty.
#[test]
fn keeps_every_part() {
    let nodes = [
        (
            "/a/file",
            Node {
                meta: meta(EntryKind::File),
                content: Some(b"x\0y".to_vec()),
                ..Node::default()
            },
        ),
        (
            "/a/empty",
            Node {
                meta: meta(EntryKind::File),
                content: Some(Vec::new()),
                ..Node::default()
            },
        ),
        (
            "/a/link",
            Node {
                meta: meta(EntryKind::Symlink),
                target: Some("../b".into()),
                ..Node::default()
            },
        ),
        (
            "/a/dir",
            Node {
                meta: meta(EntryKind::Dir),
                entries: Some(vec!["one".into(), "two".into()]),
                ..Node::default()
            },
        ),
        (
            "/a/none",
            Node {
                meta: meta(EntryKind::Dir),
                entries: Some(Vec::new()),
                ..Node::default()
            },
        ),
        (
            "/a/kmsg",
            Node {
                meta: Some(Metadata {
                    device: Some((1, 11)),
                    ..meta(EntryKind::CharDevice).unwrap()
                }),
                error: Some(FsErrorKind::NotAFile("a character device 1:11".into())),
                ..Node::default()
            },
        ),
        (
            "/a/gone",
            Node {
                error: Some(FsErrorKind::PermissionDenied),
                ..Node::default()
            },
        ),
    ];
    let mut store = NodeStore::default();
    for (p, n) in &nodes {
        store.push(p, n).unwrap();
    }
    let store = store.finish().unwrap();
    // "/" and "/a" were added.
    assert_eq!(store.len(), nodes.len() + 2);
    for (p, n) in &nodes {
        let got = store.get(p).unwrap();
        let back = Node {
            meta: got.meta.clone(),
            target: got.target.map(str::to_string),
            content: got.content.map(<[u8]>::to_vec),
            entries: got.entries(),
            error: got.error.cloned(),
        };
        assert_eq!(&back, n, "{p}");
    }
    assert_eq!(store.get("/a").unwrap().kind(), EntryKind::Dir);
    assert_eq!(store.get("/").unwrap().meta.unwrap().mode, 0o755);
    assert!(store.get("/a/nothing").is_none());
    let paths: Vec<&str> = store.iter().map(|(p, _)| p).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let under: Vec<&str> = store.with_prefix("/a/").map(|(p, _)| p).collect();
    assert_eq!(under.len(), nodes.len());
}

#[test]
fn refuses_a_path_twice() {
    let mut store = NodeStore::default();
    for p in ["/x", "/y", "/x"] {
        store.push(p, &Node::default()).unwrap();
    }
    assert_eq!(store.finish().err().unwrap(), "/x");
}
