//! Changes of a plugin file that touch no setting but change what homeamp does: the
//! descriptor name (which JARs are the plugin's), the folder (where its files live), the
//! reload rule, and each file's format and `owned` flag. The plan lists them as attributes
//! of every instance that runs the plugin at both revisions.

use homeamp_schemas::plan::AttributeChange;

use crate::model::{Plugin, Reload};

fn reload(r: &Reload) -> String {
    match r {
        Reload::Restart => "restart".into(),
        Reload::Command(c) => format!("command:{c}"),
        Reload::None => "none".into(),
    }
}

/// Appends to `out` what differs between the plugin file `was` (base) and `is` (head).
pub(super) fn plugin_attributes(was: &Plugin, is: &Plugin, out: &mut Vec<AttributeChange>) {
    if was.digest == is.digest {
        return;
    }
    let mut push = |what: String, old: String, new: String| {
        if old != new {
            out.push(AttributeChange {
                attribute: format!("plugin {}: {what}", is.name),
                old: Some(old),
                new: Some(new),
            });
        }
    };
    push(
        "name in its descriptor".into(),
        was.display_name.clone(),
        is.display_name.clone(),
    );
    push("folder".into(), was.folder.clone(), is.folder.clone());
    push("reload".into(), reload(&was.reload), reload(&is.reload));
    for (path, new) in &is.files {
        let Some(old) = was.files.get(path) else {
            continue;
        };
        push(
            format!("{path} format"),
            old.format.as_str().to_string(),
            new.format.as_str().to_string(),
        );
        push(
            format!("{path} owned"),
            old.owned.to_string(),
            new.owned.to_string(),
        );
    }
}
