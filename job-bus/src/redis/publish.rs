//! Publishing: `XADD homeamp:jobs:<server> MAXLEN ~ <max_len> * job <payload>`.

use super::RedisBus;
use super::reply::PAYLOAD_FIELD;
use crate::{BusError, stream_key};

impl RedisBus {
    /// Appends `payload` to `server`'s stream, trimming it to about `max_len` entries
    /// (0: never trimmed). The group is not created here: publishing needs only `XADD`
    /// (the host's ACL user has nothing else), and readers create it on demand from id 0,
    /// so entries published before any agent read are delivered all the same.
    pub(crate) async fn xadd(&self, server: &str, payload: &[u8]) -> Result<String, BusError> {
        let key = stream_key(server);
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&key);
        if self.config.max_len > 0 {
            cmd.arg("MAXLEN").arg("~").arg(self.config.max_len);
        }
        cmd.arg("*").arg(PAYLOAD_FIELD).arg(payload);
        self.query(&cmd, &format!("XADD {key}")).await
    }
}
