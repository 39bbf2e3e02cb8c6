//! A simulator over two instance folders, and a client of it.

use homeamp_ampclient::AmpClient;
use homeamp_ampsim::{AmpSim, Credentials, SimOptions};

pub const USER: &str = "admin";
pub const PASSWORD: &str = "hunter2";
pub const SERVER_PROPERTIES: &str = "motd=A homeamp test server\nmax-players=20\n";

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub sim: AmpSim,
}

impl Fleet {
    pub async fn start() -> Fleet {
        Fleet::start_with(|_| {}).await
    }

    pub async fn start_with(tune: impl FnOnce(&mut SimOptions)) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        for name in ["lobby", "survival"] {
            let app = dir.path().join(name).join("Minecraft");
            std::fs::create_dir_all(app.join("plugins")).unwrap();
            std::fs::write(app.join("server.properties"), SERVER_PROPERTIES).unwrap();
        }
        let mut options = SimOptions::new(Credentials::new(USER, PASSWORD));
        tune(&mut options);
        let sim = AmpSim::start(
            dir.path().to_path_buf(),
            "127.0.0.1:0".parse().unwrap(),
            options,
        )
        .await
        .unwrap();
        Fleet { dir, sim }
    }

    pub fn client(&self) -> AmpClient {
        AmpClient::new(&self.sim.url(), USER, PASSWORD).unwrap()
    }

    pub fn id(&self, name: &str) -> String {
        self.sim.instance_id(name).unwrap()
    }

    pub fn app_dir(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name).join("Minecraft")
    }
}
