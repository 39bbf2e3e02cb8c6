//! A network namespace of the test's own, joined to the test's namespace by a veth pair on
//! a private /30 (nothing leaves the machine): the agent runs inside it, so that taking the
//! link down cuts it off from the host and Redis as a network partition would.

use std::process::Command;

pub struct Netns {
    pub name: String,
    veth: String,
    /// The address of the test's side of the link (the host and Redis listen on it).
    pub outside: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("running ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Netns {
    /// Creates the namespace and the link; `Err` says why when this machine does not allow
    /// it (no `ip`, no privileges).
    pub fn create() -> Result<Self, String> {
        let id = std::process::id() % 60_000;
        let (name, veth, peer) = (format!("hamp{id}"), format!("hv{id}o"), format!("hv{id}i"));
        let subnet = 1 + (id % 250);
        let outside = format!("10.213.{subnet}.1");
        let inside = format!("10.213.{subnet}.2");
        ip(&["netns", "add", &name])?;
        let netns = Self {
            name: name.clone(),
            veth: veth.clone(),
            outside: outside.clone(),
        };
        ip(&["link", "add", &veth, "type", "veth", "peer", "name", &peer])?;
        ip(&["link", "set", &peer, "netns", &name])?;
        ip(&["addr", "add", &format!("{outside}/30"), "dev", &veth])?;
        ip(&["link", "set", &veth, "up"])?;
        let inside_ns = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &name, "ip"];
            all.extend_from_slice(args);
            ip(&all)
        };
        inside_ns(&["addr", "add", &format!("{inside}/30"), "dev", &peer])?;
        inside_ns(&["link", "set", &peer, "up"])?;
        inside_ns(&["link", "set", "lo", "up"])?;
        Ok(netns)
    }

    /// Takes the link down (a partition) or up again.
    pub fn link(&self, up: bool) {
        ip(&["link", "set", &self.veth, if up { "up" } else { "down" }]).unwrap();
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["link", "del", &self.veth]);
        let _ = ip(&["netns", "del", &self.name]);
    }
}
