//! /proc/net/route: the kernel's IPv4 routing table, one route a line
//! after a header (`Iface Destination Gateway Flags RefCnt Use Metric Mask
//! MTU Window IRTT`), addresses and masks in hex. /proc/net/ipv6_route: the
//! IPv6 table, no header, ten columns (destination, its prefix length,
//! source, its prefix length, next hop, metric, refcnt, use, flags,
//! interface), in hex (net/ipv6/route.c, rt6_info_seq_show).

/// RTF_UP in the Flags column: the route is usable.
const RTF_UP: u32 = 0x1;
/// RTF_REJECT: an unreachable route (IPv6's default "unreachable" entry on
/// lo when no default exists).
const RTF_REJECT: u32 = 0x0200;

/// The interfaces of the usable default routes (destination and mask
/// 0.0.0.0), in the table's order, each once.
pub fn default_route_interfaces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 {
            continue;
        }
        let up = u32::from_str_radix(f[3], 16).is_ok_and(|flags| flags & RTF_UP != 0);
        if up && f[1] == "00000000" && f[7] == "00000000" && !out.iter().any(|i| i == f[0]) {
            out.push(f[0].to_string());
        }
    }
    out
}

/// The interfaces of the usable IPv6 default routes (::/0, up, not a
/// reject route), in the table's order, each once.
pub fn default_route6_interfaces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 {
            continue;
        }
        let default = f[0].len() == 32 && f[0].bytes().all(|b| b == b'0') && f[1] == "00";
        let usable = u32::from_str_radix(f[8], 16)
            .is_ok_and(|flags| flags & RTF_UP != 0 && flags & RTF_REJECT == 0);
        if default && usable && !out.iter().any(|i| i == f[9]) {
            out.push(f[9].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first five lines are this project's build machine's table, as
    /// read (a default route through eth0 via fd00::1); the last is the
    /// unreachable default the kernel keeps on lo (flags 0x00200200).
    const SAMPLE6: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    #[test]
    fn finds_the_usable_ipv6_default_routes() {
        assert_eq!(default_route6_interfaces(SAMPLE6), vec!["eth0".to_string()]);
        assert!(default_route6_interfaces("").is_empty());
        assert!(default_route6_interfaces("garbage line\n").is_empty());
    }

    /// A real table (a cloud VM's, tabs and trailing padding as the kernel
    /// writes them), with a down default route and a link route added.
    const SAMPLE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n\
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \n\
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n\
eth1\t00000000\t010300C0\t0002\t0\t0\t100\t00000000\t0\t0\t0                                                                               \n";

    #[test]
    fn finds_the_usable_default_routes() {
        assert_eq!(default_route_interfaces(SAMPLE), vec!["eth0".to_string()]);
        assert!(default_route_interfaces("").is_empty());
        assert!(default_route_interfaces("Iface\tDestination\ngarbage\n").is_empty());
    }
}
