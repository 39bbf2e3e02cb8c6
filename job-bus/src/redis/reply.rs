//! Reading Redis's stream replies (pure functions over `redis::Value`, unit-tested here).
//!
//! Parsed by hand rather than through the redis crate's stream types so that every shape
//! Redis answers with is handled on purpose: a nil XREADGROUP reply (the block ran out),
//! a nil entry (an XAUTOCLAIM on Redis 6.2 naming an entry trimmed while pending), and the
//! third element of Redis 7's XAUTOCLAIM reply (the ids of such entries, which Redis has
//! already removed from the pending list).

use redis::Value;

/// The field of a stream entry that holds the job payload (`XADD key * job <payload>`).
pub(crate) const PAYLOAD_FIELD: &str = "job";

/// One stream entry: its id and the payload (empty when the entry has no `job` field, e.g.
/// written by hand; the consumer then drops it as unreadable and acknowledges it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub id: String,
    pub payload: Vec<u8>,
}

/// What one XAUTOCLAIM call answered.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct AutoClaim {
    /// Where the next call starts; `0-0` when the pending list has been scanned to its end.
    pub cursor: String,
    pub entries: Vec<Entry>,
    /// Pending entries that no longer exist in the stream (trimmed, or deleted).
    pub deleted: Vec<String>,
}

/// The entries of an `XREADGROUP … STREAMS <one key> >` reply.
pub(crate) fn read_entries(reply: Value) -> Result<Vec<Entry>, String> {
    let streams = match reply {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(streams) => streams
            .into_iter()
            .map(|stream| match stream {
                Value::Array(pair) => pair_of(pair),
                other => Err(format!("a stream of an XREADGROUP reply: {other:?}")),
            })
            .collect::<Result<Vec<_>, _>>()?,
        // RESP3 answers a map of key → entries.
        Value::Map(streams) => streams,
        other => return Err(format!("an XREADGROUP reply: {other:?}")),
    };
    let mut out = Vec::new();
    for (_key, entries) in streams {
        out.extend(entry_list(entries)?.0);
    }
    Ok(out)
}

/// An XAUTOCLAIM reply: `[cursor, [entries…]]` (6.2) or `[cursor, [entries…], [deleted…]]` (7+).
pub(crate) fn auto_claim(reply: Value) -> Result<AutoClaim, String> {
    let Value::Array(parts) = reply else {
        return Err(format!("an XAUTOCLAIM reply: {reply:?}"));
    };
    let mut parts = parts.into_iter();
    let cursor = match parts.next() {
        Some(cursor) => string(cursor)?,
        None => return Err("an XAUTOCLAIM reply without a cursor".to_string()),
    };
    let (entries, mut deleted) = match parts.next() {
        Some(entries) => entry_list(entries)?,
        None => (Vec::new(), Vec::new()),
    };
    if let Some(Value::Array(ids)) = parts.next() {
        for id in ids {
            deleted.push(string(id)?);
        }
    }
    Ok(AutoClaim {
        cursor,
        entries,
        deleted,
    })
}

/// The delivery count in an `XPENDING key group <id> <id> 1` reply
/// (`[[id, consumer, idle-ms, deliveries]]`); `None` when the entry is no longer pending.
pub(crate) fn delivery_count(reply: Value) -> Result<Option<u32>, String> {
    let Value::Array(rows) = reply else {
        return Err(format!("an XPENDING reply: {reply:?}"));
    };
    let Some(Value::Array(row)) = rows.into_iter().next() else {
        return Ok(None);
    };
    match row.get(3) {
        Some(Value::Int(n)) => Ok(Some(u32::try_from(*n).unwrap_or(u32::MAX))),
        other => Err(format!("the delivery count of an XPENDING row: {other:?}")),
    }
}

/// A list of entries; nil entries (gone from the stream) are returned by id when known.
fn entry_list(value: Value) -> Result<(Vec<Entry>, Vec<String>), String> {
    let items = match value {
        Value::Array(items) => items,
        Value::Nil => return Ok((Vec::new(), Vec::new())),
        other => return Err(format!("a list of stream entries: {other:?}")),
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut gone = Vec::new();
    for item in items {
        match item {
            Value::Array(pair) => {
                let (id, fields) = pair_of(pair)?;
                let id = string(id)?;
                match fields {
                    // XAUTOCLAIM on 6.2 and XCLAIM: an entry trimmed while pending.
                    Value::Nil => gone.push(id),
                    fields => entries.push(Entry {
                        id,
                        payload: payload(fields)?,
                    }),
                }
            }
            Value::Nil => {}
            other => return Err(format!("a stream entry: {other:?}")),
        }
    }
    Ok((entries, gone))
}

/// The `job` field's value among an entry's `[field, value, …]`.
fn payload(fields: Value) -> Result<Vec<u8>, String> {
    let pairs: Vec<(Value, Value)> = match fields {
        Value::Array(flat) => {
            let mut flat = flat.into_iter();
            let mut pairs = Vec::new();
            while let (Some(field), Some(value)) = (flat.next(), flat.next()) {
                pairs.push((field, value));
            }
            pairs
        }
        Value::Map(pairs) => pairs,
        other => return Err(format!("the fields of a stream entry: {other:?}")),
    };
    for (field, value) in pairs {
        if bytes(field)? == PAYLOAD_FIELD.as_bytes() {
            return bytes(value);
        }
    }
    Ok(Vec::new())
}

fn pair_of(pair: Vec<Value>) -> Result<(Value, Value), String> {
    let mut pair = pair.into_iter();
    match (pair.next(), pair.next(), pair.next()) {
        (Some(a), Some(b), None) => Ok((a, b)),
        _ => Err("a pair of values".to_string()),
    }
}

fn bytes(value: Value) -> Result<Vec<u8>, String> {
    match value {
        Value::BulkString(b) => Ok(b),
        Value::SimpleString(s) => Ok(s.into_bytes()),
        other => Err(format!("a string: {other:?}")),
    }
}

fn string(value: Value) -> Result<String, String> {
    String::from_utf8(bytes(value)?).map_err(|e| format!("an entry id: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    fn entry(id: &str, payload: &str) -> Value {
        Value::Array(vec![
            bulk(id),
            Value::Array(vec![bulk("job"), bulk(payload)]),
        ])
    }

    #[test]
    fn a_nil_read_reply_is_no_entries() {
        assert_eq!(read_entries(Value::Nil).unwrap(), []);
    }

    #[test]
    fn read_entries_keep_the_stream_order() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk("homeamp:jobs:ovh"),
            Value::Array(vec![entry("1-0", "a"), entry("1-1", "b")]),
        ])]);
        let got = read_entries(reply).unwrap();
        assert_eq!(got[0].id, "1-0");
        assert_eq!(got[1].payload, b"b");
    }

    #[test]
    fn an_entry_without_the_job_field_has_an_empty_payload() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk("k"),
            Value::Array(vec![Value::Array(vec![
                bulk("1-0"),
                Value::Array(vec![bulk("other"), bulk("x")]),
            ])]),
        ])]);
        assert_eq!(read_entries(reply).unwrap()[0].payload, b"");
    }

    #[test]
    fn redis_7_autoclaim_reports_deleted_ids() {
        let reply = Value::Array(vec![
            bulk("0-0"),
            Value::Array(vec![entry("2-0", "c")]),
            Value::Array(vec![bulk("1-0")]),
        ]);
        let claim = auto_claim(reply).unwrap();
        assert_eq!(claim.cursor, "0-0");
        assert_eq!(claim.entries.len(), 1);
        assert_eq!(claim.deleted, ["1-0"]);
    }

    #[test]
    fn redis_6_2_autoclaim_nil_entries_count_as_deleted() {
        let reply = Value::Array(vec![
            bulk("3-0"),
            Value::Array(vec![
                Value::Array(vec![bulk("1-0"), Value::Nil]),
                entry("2-0", "c"),
            ]),
        ]);
        let claim = auto_claim(reply).unwrap();
        assert_eq!(claim.cursor, "3-0");
        assert_eq!(claim.entries[0].id, "2-0");
        assert_eq!(claim.deleted, ["1-0"]);
    }

    #[test]
    fn xpending_rows_give_the_delivery_count() {
        let row = Value::Array(vec![Value::Array(vec![
            bulk("1-0"),
            bulk("agent-2"),
            Value::Int(12),
            Value::Int(3),
        ])]);
        assert_eq!(delivery_count(row).unwrap(), Some(3));
        assert_eq!(delivery_count(Value::Array(vec![])).unwrap(), None);
    }
}
