//! Scan cost of one realistic instance: 120 plugin folders (a config.yml of ~6 KiB and a
//! messages file each) and 80 plugin JARs. Cold = a fresh agent hashes everything;
//! warm = a rescan where nothing changed (sizes and mtimes match, nothing is read).

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use homeamp_agent::{Agent, AgentConfig};

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

fn jar(path: &Path, name: &str, size: usize) {
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("plugin.yml", stored).unwrap();
        zip.write_all(format!("name: {name}\nversion: 1.2.3\nmain: a.b.{name}\n").as_bytes())
            .unwrap();
        zip.start_file("classes.bin", stored).unwrap();
        zip.write_all(&vec![7u8; size]).unwrap();
        zip.finish().unwrap();
    }
    write(path, &bytes);
}

fn fixture() -> (tempfile::TempDir, tempfile::TempDir, AgentConfig) {
    let root = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let game = root.path().join("SMP201/Minecraft");
    write(&game.join("server.properties"), b"motd=bench\n");
    let config: String = (0..200)
        .map(|i| format!("# comment line {i}\nsection-{i}:\n  enabled: true\n  value: {i}\n"))
        .collect();
    for p in 0..120 {
        write(
            &game.join(format!("plugins/Plugin{p}/config.yml")),
            config.as_bytes(),
        );
        write(
            &game.join(format!("plugins/Plugin{p}/messages.yml")),
            b"prefix: '&7[x]'\n",
        );
    }
    for j in 0..80 {
        jar(
            &game.join(format!("plugins/Plugin{j}.jar")),
            &format!("Plugin{j}"),
            512 * 1024,
        );
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key();
    let config = AgentConfig::new("bench", root.path(), state.path(), key);
    (root, state, config)
}

fn scan(c: &mut Criterion) {
    let (_root, _state, config) = fixture();
    let mut group = c.benchmark_group("scan_instance_240_files_80_jars");
    group.sample_size(20);
    group.bench_function("cold", |b| {
        b.iter(|| {
            let agent = Agent::new(config.clone()).unwrap();
            agent.scan("SMP201").unwrap()
        })
    });
    let agent = Agent::new(config.clone()).unwrap();
    agent.scan("SMP201").unwrap();
    group.bench_function("warm_unchanged", |b| {
        b.iter(|| agent.scan("SMP201").unwrap())
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
