use super::*;

#[test]
fn replaces_values_consistently_and_leaves_the_rest() {
    let mut r = Redactor::new(BTreeMap::from([("web01".into(), "guest-1".into())]));
    let s = r.scrub(
        "web01 web012 web01.xml 52:54:00:12:34:56 0000:03:10.0 10.1.2.3 127.0.0.1 fe80::1%eth0 std::fmt 5.14.0 52:54:00:12:34:56",
    );
    assert_eq!(
        s,
        "guest-1 web012 guest-1.xml 02:00:00:00:00:01 0000:03:10.0 192.0.2.1 127.0.0.1 2001:db8::1%eth0 std::fmt 5.14.0 02:00:00:00:00:01"
    );
    assert_eq!(
        r.scrub("uuid 3E9C1F5A-7b2d-4c8e-9a61-0d4f2b8c7e15"),
        "uuid 00000000-0000-4000-8000-000000000001"
    );
}
