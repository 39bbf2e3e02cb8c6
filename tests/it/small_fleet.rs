//! The small fleet most end-to-end tests run `homeamp up` on: a desired-state repository
//! and three instance folders (two run CoreProtect, with its JAR and a commented config),
//! and a host artifact store holding the CoreProtect JAR they run.

#![allow(dead_code)]

use std::path::PathBuf;

use homeamp_schemas::report::PluginDescriptor;

use crate::host_process::Up;
use crate::support::GitRepo;

/// The CoreProtect version the instances run and the artifact store holds.
pub const CP_VERSION: &str = "22.2";

pub const MATRIX: &str = "plugin_name,plugin_type,auto_update,update_source,server_SMP1,server_SMP2,server_DEV1\n\
CoreProtect,bukkit/paper,False,manual,True,True,False\n";

pub const LIVE_CONFIG: &str = "# CoreProtect config, tuned by hand over the years.\n\
# Keep these comments!\n\
verbose: false   # noisy\n\
rollback-items: true\n\
\n\
# database tables\n\
table-prefix: co_\n";

pub fn fleet_yaml(sync: &str, self_heal: bool) -> String {
    fleet_yaml_guarded(sync, self_heal, 100)
}

pub fn fleet_yaml_guarded(sync: &str, self_heal: bool, guard_pct: u8) -> String {
    format!(
        "servers:\n  local: {{ role: host }}\n\
instances:\n  SMP1: {{ server: local, platform: paper }}\n  SMP2: {{ server: local, platform: paper }}\n  DEV1: {{ server: local, platform: paper }}\n\
policy:\n  default: {{ sync: {sync}, self_heal: {self_heal}, restart: never }}\n  guard: {{ max_instances_changed_pct: {guard_pct} }}\n"
    )
}

pub fn plugin_yaml(verbose: bool) -> String {
    format!(
        "universal:\n  config.yml:\n    verbose: {verbose}\n    rollback-items: true\n\
variable:\n  config.yml:\n    table-prefix: {{ SMP1: co_smp1_, SMP2: co_smp2_ }}\n"
    )
}

/// A small fleet: a desired-state repo and three instance folders (two run CoreProtect).
pub struct SmallFleet {
    pub repo: GitRepo,
    pub dir: tempfile::TempDir,
}

impl SmallFleet {
    pub fn new(sync: &str, self_heal: bool) -> Self {
        let repo = GitRepo::new();
        repo.write("homeamp.yaml", &fleet_yaml(sync, self_heal));
        repo.write("deployment_matrix.csv", MATRIX);
        repo.write("plugins/paper/CoreProtect.yaml", &plugin_yaml(true));
        repo.commit("fleet");
        let dir = tempfile::tempdir().unwrap();
        for name in ["SMP1", "SMP2", "DEV1"] {
            let plugins = dir
                .path()
                .join("instances")
                .join(name)
                .join("Minecraft/plugins");
            std::fs::create_dir_all(plugins.join("CoreProtect")).unwrap();
            if name != "DEV1" {
                std::fs::write(plugins.join("CoreProtect/config.yml"), LIVE_CONFIG).unwrap();
                std::fs::write(
                    plugins.join(format!("CoreProtect-{CP_VERSION}.jar")),
                    jar("CoreProtect", CP_VERSION),
                )
                .unwrap();
            }
        }
        let fleet = SmallFleet { repo, dir };
        fleet.add_artifact("CoreProtect", CP_VERSION);
        fleet
    }

    pub fn config(&self, instance: &str) -> PathBuf {
        self.dir
            .path()
            .join("instances")
            .join(instance)
            .join("Minecraft/plugins/CoreProtect/config.yml")
    }

    pub fn read(&self, instance: &str) -> String {
        std::fs::read_to_string(self.config(instance)).unwrap()
    }

    /// The instance's `plugins/` folder.
    pub fn plugins(&self, instance: &str) -> PathBuf {
        self.dir
            .path()
            .join("instances")
            .join(instance)
            .join("Minecraft/plugins")
    }

    /// The JAR file names in the instance's `plugins/`, sorted.
    pub fn jars(&self, instance: &str) -> Vec<String> {
        let mut jars: Vec<String> = std::fs::read_dir(self.plugins(instance))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".jar"))
            .collect();
        jars.sort();
        jars
    }

    /// The host's artifact store.
    pub fn artifacts(&self) -> PathBuf {
        self.dir.path().join("artifacts")
    }

    /// Puts a plugin JAR into the host's artifact store.
    pub fn add_artifact(&self, name: &str, version: &str) {
        std::fs::create_dir_all(self.artifacts()).unwrap();
        std::fs::write(
            self.artifacts().join(format!("{name}-{version}.jar")),
            jar(name, version),
        )
        .unwrap();
    }

    pub fn up(&self) -> Up {
        self.up_with(&[])
    }

    /// `homeamp up` on the fleet, with `extra` arguments.
    pub fn up_with(&self, extra: &[&str]) -> Up {
        self.up_listening(extra, "127.0.0.1:0")
    }

    /// As [`SmallFleet::up_with`], the API listening on `listen`.
    pub fn up_listening(&self, extra: &[&str], listen: &str) -> Up {
        let repo = self.repo.path().to_str().unwrap().to_string();
        let instances = format!("local={}", self.dir.path().join("instances").display());
        let state = self.dir.path().join("state");
        let artifacts = self.artifacts();
        let mut args = vec![
            "--repo",
            &repo,
            "--instances",
            &instances,
            "--state-dir",
            state.to_str().unwrap(),
            "--artifacts",
            artifacts.to_str().unwrap(),
            "--poll",
            "300ms",
        ];
        args.extend_from_slice(extra);
        Up::start_listening(&args, listen)
    }
}

/// A minimal Bukkit plugin JAR.
pub fn jar(name: &str, version: &str) -> Vec<u8> {
    homeamp_jar::plugin_jar(
        PluginDescriptor::PluginYml,
        name,
        version,
        "net.example.Main",
    )
    .unwrap()
}

pub fn instance<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {status}"))
}
