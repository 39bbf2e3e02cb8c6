//! A simulator over two instance folders in a temp dir, and raw calls to it.

use std::path::Path;

use homeamp_ampsim::{AmpSim, Credentials, SimOptions};
use serde_json::{Value, json};

pub const USER: &str = "admin";
pub const PASSWORD: &str = "hunter2";
pub const SERVER_PROPERTIES: &str = "motd=A homeamp test server\nmax-players=20\n";

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub sim: AmpSim,
    http: reqwest::Client,
}

/// What a call answered: the raw body, and its JSON when it has one.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

pub fn write_instance(root: &Path, name: &str) {
    let app = root.join(name).join("Minecraft");
    std::fs::create_dir_all(app.join("plugins")).unwrap();
    std::fs::write(app.join("server.properties"), SERVER_PROPERTIES).unwrap();
    std::fs::write(
        root.join(name).join("AMPConfig.conf"),
        "Meta.GenericModule=\n",
    )
    .unwrap();
}

impl Fleet {
    pub async fn start() -> Fleet {
        Fleet::start_with(|_| {}).await
    }

    pub async fn start_with(tune: impl FnOnce(&mut SimOptions)) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        write_instance(dir.path(), "lobby");
        write_instance(dir.path(), "survival");
        let mut options = SimOptions::new(Credentials::new(USER, PASSWORD));
        tune(&mut options);
        let sim = AmpSim::start(
            dir.path().to_path_buf(),
            "127.0.0.1:0".parse().unwrap(),
            options,
        )
        .await
        .unwrap();
        Fleet {
            dir,
            sim,
            http: reqwest::Client::new(),
        }
    }

    pub fn app_dir(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name).join("Minecraft")
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        let res = self
            .http
            .post(format!("{}{}", self.sim.url(), path))
            .header("Accept", "text/javascript")
            .json(&body)
            .send()
            .await
            .unwrap();
        Answer {
            status: res.status().as_u16(),
            body: res.text().await.unwrap(),
        }
    }

    fn login_body() -> Value {
        json!({ "username": USER, "password": PASSWORD, "token": "", "rememberMe": false })
    }

    /// A controller session.
    pub async fn login(&self) -> String {
        let a = self
            .post("API/Core/Login", Fleet::login_body())
            .await
            .json();
        assert_eq!(a["success"], true, "{a}");
        a["sessionID"].as_str().unwrap().to_string()
    }

    /// The path prefix of an instance's proxied API.
    pub fn instance_path(&self, name: &str) -> String {
        format!(
            "API/ADSModule/Servers/{}/API/",
            self.sim.instance_id(name).unwrap()
        )
    }

    /// A session of one instance.
    pub async fn instance_login(&self, name: &str) -> String {
        let path = format!("{}Core/Login", self.instance_path(name));
        let a = self.post(&path, Fleet::login_body()).await.json();
        assert_eq!(a["success"], true, "{a}");
        a["sessionID"].as_str().unwrap().to_string()
    }

    /// Calls `module_method` (e.g. "Core/GetStatus") on an instance with a session.
    pub async fn call(&self, name: &str, session: &str, method: &str, mut args: Value) -> Answer {
        args["SESSIONID"] = json!(session);
        self.post(&format!("{}{method}", self.instance_path(name)), args)
            .await
    }
}
