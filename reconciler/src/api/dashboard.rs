//! `GET /`: the fleet at a glance, as one server-rendered HTML page with no external
//! assets (it must work on a host without Internet access). It refreshes itself every
//! five seconds; the same read rule as the API applies (open on loopback in `up` mode).

use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use homeamp_schemas::status::{FleetStatus, SyncState};

use super::{ApiError, AppState, Reader};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn short(sha: Option<&str>) -> String {
    sha.map(|s| s.chars().take(10).collect())
        .unwrap_or_else(|| "—".into())
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .6rem;\
border-bottom:1px solid #ddd}th{background:#f4f4f4}code{font-size:.9em}\
.Synced{color:#17803d}.OutOfSync{color:#b45309}.Progressing{color:#1d4ed8}\
.Degraded{color:#b91c1c}.Unknown{color:#6b7280}.refused{background:#fee2e2;\
padding:.6rem;white-space:pre-wrap}.summary span{margin-right:1.2rem}";

/// The page for `status`.
pub fn render(status: &FleetStatus) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\"><title>homeamp</title>\
         <style>{STYLE}</style></head><body><h1>homeamp</h1>\
         <p>Revision <code>{}</code></p>",
        escape(&short(status.revision.as_deref()))
    );
    if let Some(refused) = &status.refused_revision {
        let _ = write!(
            page,
            "<div class=\"refused\">Revision <code>{}</code> was refused:\n{}</div>",
            escape(&short(Some(&refused.sha))),
            escape(&refused.reason)
        );
    }
    page.push_str("<p class=\"summary\">");
    for sync in SyncState::ALL {
        let n = status.summary.get(sync.as_str()).copied().unwrap_or(0);
        let _ = write!(page, "<span class=\"{sync}\">{sync}: {n}</span>");
    }
    page.push_str(
        "</p><table><thead><tr><th>Instance</th><th>Server</th><th>Platform</th>\
         <th>Sync</th><th>Revision</th><th>Drift</th><th>Jobs</th><th>Last report</th>\
         <th>Message</th></tr></thead><tbody>",
    );
    for i in &status.instances {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td><code>{}</code></td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&i.name),
            escape(&i.server),
            i.platform.as_str(),
            i.sync.as_str(),
            i.sync.as_str(),
            escape(&short(i.revision.as_deref())),
            i.drift,
            i.jobs_in_flight,
            i.last_report
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| "never".into()),
            escape(i.message.as_deref().unwrap_or("")),
        );
    }
    page.push_str("</tbody></table></body></html>\n");
    page
}

async fn dashboard(_: Reader, State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let status = state.host.fleet_status(None).await?;
    Ok(Html(render(&status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_and_reasons_is_escaped() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
