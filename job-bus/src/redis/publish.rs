//! Publishing: `XADD homeamp:jobs:<server> MAXLEN ~ <max_len> * job <payload>`, one at a
//! time or many in one pipeline (one round trip, in order).

use super::reply::PAYLOAD_FIELD;
use super::{RedisBus, error};
use crate::{BusError, stream_key};

impl RedisBus {
    /// Appends `payload` to `server`'s stream, trimming it to about `max_len` entries
    /// (0: never trimmed). The group is not created here: publishing needs only `XADD`
    /// (the host's ACL user has nothing else), and readers create it on demand from id 0,
    /// so entries published before any agent read are delivered all the same.
    pub(crate) async fn xadd(&self, server: &str, payload: &[u8]) -> Result<String, BusError> {
        let key = stream_key(server);
        self.query(&self.xadd_cmd(&key, payload), &format!("XADD {key}"))
            .await
    }

    /// The `XADD`s of `payloads` in one pipeline: all their ids, or the error (then some may
    /// have been appended all the same, see [`JobBus::publish_many`](crate::JobBus::publish_many)).
    pub(crate) async fn xadd_many(
        &self,
        server: &str,
        payloads: &[Vec<u8>],
    ) -> Result<Vec<String>, BusError> {
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        let key = stream_key(server);
        let mut pipe = redis::pipe();
        for payload in payloads {
            pipe.add_command(self.xadd_cmd(&key, payload));
        }
        let mut conn = self.connections.shared();
        pipe.query_async(&mut conn).await.map_err(|e| {
            let doing = format!("XADD {key} (a pipeline of {})", payloads.len());
            error::bus_error(&e, &self.config, &doing)
        })
    }

    fn xadd_cmd(&self, key: &str, payload: &[u8]) -> redis::Cmd {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(key);
        if self.config.max_len > 0 {
            cmd.arg("MAXLEN").arg("~").arg(self.config.max_len);
        }
        cmd.arg("*").arg(PAYLOAD_FIELD).arg(payload);
        cmd
    }
}
