//! The harness against the real binaries: start, connect, kill, restart, clean up.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use homeamp_testkit::{MariaDb, Redis};

/// Reads MariaDB's greeting packet and returns the server version it announces.
fn mariadb_greeting(port: u16) -> Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).context("connecting")?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut header = [0u8; 4];
    stream.read_exact(&mut header)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload)?;
    ensure!(
        payload[0] == 10,
        "protocol version {} is not 10",
        payload[0]
    );
    let end = payload[1..]
        .iter()
        .position(|&b| b == 0)
        .context("unterminated version")?;
    Ok(String::from_utf8_lossy(&payload[1..1 + end]).into_owned())
}

fn redis_ping(port: u16) -> Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).context("connecting")?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"PING\r\n")?;
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

fn refused(port: u16) -> bool {
    matches!(
        TcpStream::connect(("127.0.0.1", port)),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused
    )
}

#[test]
fn mariadb_greets_refuses_when_killed_and_keeps_its_data_across_restart() -> Result<()> {
    let mut db = MariaDb::start()?;
    let port = db.port();
    assert!(mariadb_greeting(port)?.contains("MariaDB"));
    assert_eq!(db.url(), format!("mysql://root@127.0.0.1:{port}/homeamp"));
    db.run_sql("CREATE TABLE homeamp.t (v INT); INSERT INTO homeamp.t VALUES (42)")?;

    db.kill()?;
    assert!(refused(port), "a killed server still accepts connections");

    db.restart()?;
    assert_eq!(db.port(), port);
    assert!(mariadb_greeting(port)?.contains("MariaDB"));
    assert_eq!(db.run_sql("SELECT v FROM homeamp.t")?.trim(), "42");
    Ok(())
}

#[test]
fn restart_of_a_running_mariadb_works_too() -> Result<()> {
    let mut db = MariaDb::start()?;
    db.restart()?;
    mariadb_greeting(db.port())?;
    Ok(())
}

#[test]
fn dropping_a_server_stops_it_and_removes_its_directory() -> Result<()> {
    let db = MariaDb::start()?;
    let (port, dir) = (db.port(), db.dir().to_path_buf());
    assert!(dir.join("data").is_dir());
    drop(db);
    assert!(refused(port));
    assert!(!dir.exists(), "{} was left behind", dir.display());

    let redis = Redis::start()?;
    let (port, dir) = (redis.port(), redis.dir().to_path_buf());
    drop(redis);
    assert!(refused(port));
    assert!(!dir.exists(), "{} was left behind", dir.display());
    Ok(())
}

#[test]
fn the_shared_mariadb_hands_out_distinct_empty_databases() -> Result<()> {
    let shared = MariaDb::shared()?;
    let again = MariaDb::shared()?;
    assert_eq!(shared.port(), again.port(), "one shared server per process");
    let a = shared.fresh_database()?;
    let b = shared.fresh_database()?;
    assert_ne!(a, b);
    let databases = shared.run_sql("SHOW DATABASES")?;
    for url in [&a, &b] {
        let name = url.rsplit('/').next().context("no database in url")?;
        assert!(
            databases.lines().any(|l| l == name),
            "{name} missing in {databases}"
        );
        let tables = shared.run_sql(&format!("SHOW TABLES FROM `{name}`"))?;
        assert!(tables.trim().is_empty());
    }
    Ok(())
}

#[test]
fn redis_answers_ping_refuses_when_killed_and_answers_after_restart() -> Result<()> {
    let mut redis = Redis::start()?;
    let port = redis.port();
    assert_eq!(redis_ping(port)?, "+PONG\r\n");
    assert_eq!(redis.url(), format!("redis://127.0.0.1:{port}/"));

    redis.kill()?;
    assert!(refused(port));

    redis.restart()?;
    assert_eq!(redis.port(), port);
    assert_eq!(redis_ping(port)?, "+PONG\r\n");
    Ok(())
}

#[test]
fn servers_started_together_get_different_ports() -> Result<()> {
    let a = Redis::start()?;
    let b = Redis::start()?;
    assert_ne!(a.port(), b.port());
    Ok(())
}
