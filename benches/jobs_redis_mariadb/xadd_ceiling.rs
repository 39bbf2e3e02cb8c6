//! The loopback ceiling: `redis-benchmark` sending XADD of a job-sized entry to the same
//! Redis, without and with pipelining (50 clients, its default).

use std::process::Command;

/// About the size of a signed rescan job.
const PAYLOAD_LEN: usize = 600;

pub fn redis_benchmark(port: u16, n: usize) {
    let value = "x".repeat(PAYLOAD_LEN);
    for pipeline in ["1", "16"] {
        let output = Command::new("redis-benchmark")
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-n", &n.to_string(), "-P", pipeline, "-q"])
            .args(["XADD", "redis-benchmark", "*", "job", &value])
            .output();
        let what = format!("ceiling: redis-benchmark XADD {PAYLOAD_LEN} B, -P {pipeline}");
        match output {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                // -q prints progress lines ending in \r, then a line naming the command.
                let last = text.rsplit('\r').next().unwrap_or(&text).trim();
                let figure = last.rsplit(": ").next().unwrap_or(last);
                println!("  {what:<50} {figure}");
            }
            Ok(out) => println!(
                "  {what}: failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => println!("  {what}: redis-benchmark not available ({e})"),
        }
    }
}
