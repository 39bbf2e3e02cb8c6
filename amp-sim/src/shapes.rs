//! The JSON AMP answers with, built with every field of the spec's types (TypeSpec.json):
//! strict clients refuse objects with fields missing, and `tests/it/spec_shapes.rs` checks
//! each builder against the vendored types.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::console::ConsoleLine;
use crate::files::Entry;
use crate::instances::Instance;

/// The AMP version the simulator claims to be: the version of the vendored spec.
pub const AMP_VERSION: &str = "2.6.0.4";

/// A .NET DateTime as AMP's JSON carries it: `/Date(milliseconds since the epoch)/`.
pub fn net_date(t: SystemTime) -> String {
    let ms = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis();
    format!("/Date({ms})/")
}

/// A successful LoginResponse.
pub fn login_ok(session_id: &str, remember_token: &str, username: &str) -> Value {
    json!({
        "success": true,
        "result": 10,
        "resultReason": "",
        "sessionID": session_id,
        "rememberMeToken": remember_token,
        "permissions": ["*"],
        "userInfo": {
            "AvatarBase64": "",
            "Disabled": false,
            "EmailAddress": "",
            "GravatarHash": "",
            "ID": "00000000-0000-0000-0000-000000000001",
            "IsLDAPUser": false,
            "IsTwoFactorEnabled": false,
            "LastLogin": net_date(SystemTime::now()),
            "Username": username,
        },
    })
}

/// A refused LoginResponse: `result` 0 (Failure) and AMP's reason for bad credentials.
pub fn login_failed() -> Value {
    json!({
        "success": false,
        "result": 0,
        "resultReason": "Internal Auth - No reason given",
        "sessionID": "",
        "rememberMeToken": "",
        "permissions": [],
        "userInfo": null,
    })
}

/// A MetricInfo.
pub fn metric(raw: u64, max: u64, units: &str) -> Value {
    let percent = (raw * 100).checked_div(max).unwrap_or(0);
    json!({
        "RawValue": raw,
        "MaxValue": max,
        "Percent": percent,
        "Units": units,
        "ShortName": "",
        "Color": "",
        "Color2": "",
        "Color3": "",
    })
}

fn metrics(i: &Instance) -> Value {
    let up = i.app_running();
    json!({
        "CPU Usage": metric(if up { 3 } else { 0 }, 100, "%"),
        "Memory Usage": metric(if up { 1536 } else { 0 }, 4096, "MB"),
        "Active Users": metric(i.players() as u64, i.max_players as u64, ""),
    })
}

/// Uptime as .NET prints a TimeSpan: `d.hh:mm:ss`, the day part only when there is one.
fn uptime(i: &Instance) -> String {
    let secs = i
        .started_at
        .and_then(|t| t.elapsed().ok())
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}.{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// A StatusResponse (Core/GetStatus).
pub fn status(i: &Instance) -> Value {
    json!({
        "State": i.app_state.code(),
        "Uptime": uptime(i),
        "Metrics": metrics(i),
    })
}

/// A ConsoleEntry.
pub fn console_entry(l: &ConsoleLine) -> Value {
    json!({
        "Contents": l.contents,
        "Source": l.source,
        "SourceId": "",
        "Timestamp": net_date(l.at),
        "Type": l.kind,
    })
}

/// An UpdateResponse (Core/GetUpdates).
pub fn updates(i: &Instance, lines: &[ConsoleLine]) -> Value {
    json!({
        "Status": status(i),
        "ConsoleEntries": lines.iter().map(console_entry).collect::<Vec<_>>(),
        "Messages": [],
        "Ports": [],
        "Tasks": [],
    })
}

/// A DirectoryListing entry.
pub fn directory_entry(e: &Entry) -> Value {
    let archive = !e.is_dir
        && [".zip", ".tar", ".gz", ".jar"]
            .iter()
            .any(|x| e.name.ends_with(x));
    json!({
        "Filename": e.name,
        "IsDirectory": e.is_dir,
        "IsArchive": archive,
        "IsDownloadable": !e.is_dir,
        "IsEditable": !e.is_dir && !archive,
        "IsExcludedFromBackups": false,
        "IsVirtualDirectory": false,
        "SizeBytes": e.size,
        "Created": net_date(e.created),
        "Modified": net_date(e.modified),
    })
}

/// An InstanceSummary, as ADSModule/GetInstances lists it.
pub fn instance_summary(i: &Instance, target_id: &str) -> Value {
    json!({
        "InstanceID": i.id,
        "TargetID": target_id,
        "InstanceName": i.name,
        "FriendlyName": i.friendly_name,
        "Description": "",
        "Module": "Minecraft",
        "ModuleDisplayName": "Minecraft",
        "AMPVersion": AMP_VERSION,
        "Running": i.amp_running,
        "AppState": if i.amp_running { i.app_state.code() } else { 0 },
        "Suspended": false,
        "IsHTTPS": false,
        "IP": "127.0.0.1",
        "Port": i.amp_port,
        "ApplicationEndpoints": [{
            "DisplayName": "Minecraft Server Address",
            "Endpoint": "0.0.0.0:25565",
            "Uri": "",
        }],
        "Metrics": metrics(i),
        "Daemon": false,
        "DaemonAutostart": true,
        "DeploymentArgs": {},
        "DiskUsageMB": 0,
        "DisplayImageSource": "internal:MinecraftJava",
        "ExcludeFromFirewall": false,
        "IsContainerInstance": false,
        "ContainerCPUs": 0.0,
        "ContainerMemoryMB": 0,
        "ContainerMemoryPolicy": 0,
        "ContainerSwapMB": 0,
        "ManagementMode": 10,
        "ReleaseStream": 10,
        "SpecificDockerImage": "",
        "Tags": [],
        "UseHostModeNetwork": false,
        "WelcomeMessage": "",
    })
}

/// The controller itself as an InstanceSummary, for `ForceIncludeSelf`.
pub fn controller_summary(ads_id: &str) -> Value {
    json!({
        "InstanceID": ads_id, "TargetID": ads_id, "InstanceName": "ADS01",
        "FriendlyName": "ADS", "Description": "", "Module": "ADS",
        "ModuleDisplayName": "Application Deployment Service", "AMPVersion": AMP_VERSION,
        "Running": true, "AppState": 999, "Suspended": false, "IsHTTPS": false,
        "IP": "127.0.0.1", "Port": 8080, "ApplicationEndpoints": [], "Metrics": {},
        "Daemon": false, "DaemonAutostart": true, "DeploymentArgs": {}, "DiskUsageMB": 0,
        "DisplayImageSource": "", "ExcludeFromFirewall": false, "IsContainerInstance": false,
        "ContainerCPUs": 0.0, "ContainerMemoryMB": 0, "ContainerMemoryPolicy": 0,
        "ContainerSwapMB": 0, "ManagementMode": 0, "ReleaseStream": 10,
        "SpecificDockerImage": "", "Tags": [], "UseHostModeNetwork": false, "WelcomeMessage": "",
    })
}

/// The one target (this controller, "Local Instances") of ADSModule/GetInstances: an IADSInstance.
pub fn ads_target(ads_id: &str, available: Vec<Value>) -> Value {
    json!({
        "Id": 1,
        "InstanceId": ads_id,
        "FriendlyName": "Local Instances",
        "Description": "",
        "Disabled": false,
        "IsRemote": false,
        "CanCreate": true,
        "CreatesInContainers": false,
        "State": 20,
        "StateReason": "",
        "LastUpdated": net_date(SystemTime::now()),
        "URL": "http://127.0.0.1:8080/",
        "AvailableIPs": ["0.0.0.0", "127.0.0.1"],
        "AvailableInstances": available,
        "Datastores": [{ "Id": 1, "FriendlyName": "Default Instance Datastore" }],
        "Tags": [],
        "TagsList": "",
        "Platform": {
            "CPUInfo": {
                "Cores": 2, "ModelName": "Simulated CPU", "Sockets": 1, "Threads": 2,
                "TotalCores": 2, "TotalThreads": 2, "Vendor": "homeamp",
            },
            "DockerNetworkIsHostMode": false,
            "InstalledRAMMB": 24576,
            "OS": 2,
            "PlatformName": "Linux (homeamp-ampsim)",
            "SystemType": 1,
            "Virtualization": 0,
        },
        "Fitness": {
            "Available": true, "CPUServiceRatio": 1.0, "FreeDiskMB": 100000, "FreeRAMMB": 16384,
            "LoadAvg": 0.1, "RemainingInstanceSlots": 100, "Score": 1.0,
            "ThreadQueueLength": 0, "TotalServices": 0,
        },
    })
}
