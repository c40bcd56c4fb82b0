//! /proc/net/route: the kernel's IPv4 routing table, one route a line
//! after a header (`Iface Destination Gateway Flags RefCnt Use Metric Mask
//! MTU Window IRTT`), addresses and masks in hex.

/// RTF_UP in the Flags column: the route is usable.
const RTF_UP: u32 = 0x1;

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

#[cfg(test)]
mod tests {
    use super::*;

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
