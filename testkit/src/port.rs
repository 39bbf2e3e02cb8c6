//! Free loopback ports.
//!
//! Binding port 0 and closing the socket leaves a window in which another process may take
//! the port; the callers close that window by retrying the server start on a fresh port
//! when the server reports that its address is in use (see `process`).

use std::net::{Ipv4Addr, TcpListener};

use crate::Error;

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16, Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| Error::io("binding 127.0.0.1:0 to find a free port", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::io("reading the address of a bound socket", e))?
        .port();
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_bound() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }
}
