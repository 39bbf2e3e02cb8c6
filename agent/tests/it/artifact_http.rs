//! Artifact sources over real sockets: `HttpArtifacts` against a tiny HTTP server on
//! 127.0.0.1 (a std listener on a thread), from a plain thread and from a tokio blocking
//! thread; `ArtifactsByScheme` picking the local or the HTTP source; a whole
//! `plugin_install` fetched over HTTP.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use homeamp_agent::artifact::{ArtifactsByScheme, HttpArtifacts};
use homeamp_agent::{ArtifactSource, FetchError, LocalArtifacts};
use homeamp_jar::plugin_jar;
use homeamp_schemas::job::{JobSpec, PluginInstall};
use homeamp_schemas::report::{JobStatus, PluginDescriptor};

use crate::support::{Fleet, names_in, sha256, signed};

const TOKEN: &str = "agent-token-ovh";

/// What the server saw of one request.
#[derive(Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
}

/// Serves `jar` at `/plugin.jar` and a JSON 404 anywhere else, until the test ends.
/// Returns the base URL and what each request carried.
fn serve(jar: Vec<u8>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (seen, requests) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let Some(request) = read_request(&stream) else {
                continue;
            };
            let found = request.path == "/plugin.jar";
            if seen.send(request).is_err() {
                return;
            }
            let (status, kind, body) = if found {
                ("200 OK", "application/java-archive", jar.clone())
            } else {
                let error = r#"{"error":{"code":"not_found","message":"no such artifact here"}}"#;
                (
                    "404 Not Found",
                    "application/json",
                    error.as_bytes().to_vec(),
                )
            };
            let mut stream = stream;
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, requests)
}

/// The request line's path and the Authorization header of one GET.
fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut authorization = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_string());
        }
    }
    Some(Seen {
        path,
        authorization,
    })
}

fn jar() -> Vec<u8> {
    plugin_jar(
        PluginDescriptor::PluginYml,
        "CoreProtect",
        "22.4",
        "net.coreprotect.CoreProtect",
    )
    .unwrap()
}

#[test]
fn a_jar_is_downloaded_with_the_agent_token_from_a_plain_thread() {
    let jar = jar();
    let (base, requests) = serve(jar.clone());
    let source = HttpArtifacts::new(TOKEN).unwrap();

    let bytes = source.fetch(&format!("{base}/plugin.jar")).unwrap();
    assert_eq!(sha256(&bytes), sha256(&jar));
    let seen = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(seen.path, "/plugin.jar");
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Bearer agent-token-ovh")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jar_is_downloaded_from_a_blocking_thread_of_the_runtime() {
    let jar = jar();
    let (base, _requests) = serve(jar.clone());
    let source = HttpArtifacts::new(TOKEN).unwrap();
    let url = format!("{base}/plugin.jar");
    let bytes = tokio::task::spawn_blocking(move || source.fetch(&url))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytes, jar);
}

#[tokio::test]
async fn a_blocking_thread_of_a_current_thread_runtime_works_too() {
    let (base, _requests) = serve(jar());
    let source = HttpArtifacts::new(TOKEN).unwrap();
    let url = format!("{base}/plugin.jar");
    let fetched = tokio::task::spawn_blocking(move || source.fetch(&url))
        .await
        .unwrap();
    assert_eq!(sha256(&fetched.unwrap()), sha256(&jar()));
}

#[test]
fn an_error_status_is_named_with_the_url_and_the_servers_message() {
    let (base, _requests) = serve(jar());
    let url = format!("{base}/gone.jar");
    let error = HttpArtifacts::new(TOKEN).unwrap().fetch(&url).unwrap_err();
    let text = error.to_string();
    match error {
        FetchError::Status {
            url: named,
            status,
            message,
        } => {
            assert_eq!(named, url);
            assert_eq!(status, 404);
            assert_eq!(message, "not_found: no such artifact here");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(text.contains(&url) && text.contains("404"), "{text}");
}

#[test]
fn an_unreachable_or_silent_server_is_an_error_naming_the_url() {
    // A port that was just free: nothing listens there.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/plugin.jar", closed.local_addr().unwrap());
    drop(closed);
    let error = HttpArtifacts::new(TOKEN).unwrap().fetch(&url).unwrap_err();
    assert!(matches!(error, FetchError::Other { .. }), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
    // The same over https: a client without TLS says so.
    let https = url.replacen("http://", "https://", 1);
    let error = HttpArtifacts::new(TOKEN)
        .unwrap()
        .fetch(&https)
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains(&https), "{text}");
    assert!(
        !text.contains("scheme is not http") || text.contains("no TLS support"),
        "{text}"
    );

    // A server that accepts and never answers: the deadline ends the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/plugin.jar", silent.local_addr().unwrap());
    let source = HttpArtifacts::with_timeout(TOKEN, Duration::from_millis(300)).unwrap();
    let error = source.fetch(&url).unwrap_err();
    assert!(
        error.to_string().contains("no complete answer within"),
        "{error}"
    );
    drop(silent);
}

#[test]
fn the_scheme_picks_the_source() {
    let jar = jar();
    let (base, requests) = serve(jar.clone());
    let dir = tempfile::tempdir().unwrap();
    let local_jar = plugin_jar(PluginDescriptor::PluginYml, "Local", "1", "a.B").unwrap();
    let path = dir.path().join("Local-1.jar");
    std::fs::write(&path, &local_jar).unwrap();

    let both = ArtifactsByScheme::new(
        LocalArtifacts::default(),
        Some(HttpArtifacts::new(TOKEN).unwrap()),
    );
    let file_url = format!("file://{}", path.display());
    assert_eq!(both.fetch(&file_url).unwrap(), local_jar);
    assert_eq!(both.fetch(path.to_str().unwrap()).unwrap(), local_jar);
    assert!(
        requests.try_recv().is_err(),
        "a local URL went to the server"
    );
    assert_eq!(both.fetch(&format!("{base}/plugin.jar")).unwrap(), jar);
    assert_eq!(requests.try_recv().unwrap().path, "/plugin.jar");

    // Without a token, HTTP is refused; and the HTTP source refuses file URLs.
    let local_only = ArtifactsByScheme::default();
    let error = local_only.fetch(&format!("{base}/plugin.jar")).unwrap_err();
    assert!(
        matches!(error, FetchError::UnsupportedScheme { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("host token"), "{error}");
    let error = HttpArtifacts::new(TOKEN)
        .unwrap()
        .fetch(&file_url)
        .unwrap_err();
    assert!(
        matches!(error, FetchError::UnsupportedScheme { .. }),
        "{error:?}"
    );
}

#[test]
fn plugin_install_fetches_its_jar_over_http() {
    let jar = jar();
    let (base, _requests) = serve(jar.clone());
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    std::fs::create_dir_all(game.join("plugins")).unwrap();
    let agent = fleet.agent().with_artifacts(ArtifactsByScheme::new(
        LocalArtifacts::default(),
        Some(HttpArtifacts::new(TOKEN).unwrap()),
    ));
    let spec = PluginInstall {
        name: "CoreProtect".into(),
        version: "22.4".into(),
        url: format!("{base}/plugin.jar"),
        sha256: sha256(&jar),
        file: None,
        replaces: Vec::new(),
    };
    let result = agent.apply(&signed("SMP201", JobSpec::PluginInstall(spec)));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    let names = names_in(&game.join("plugins"));
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        std::fs::read(game.join("plugins").join(&names[0])).unwrap(),
        jar
    );
}
