//! The plan as one pull-request comment: a summary line with the full counts,
//! then a `diff` block per instance, cut to fit [`MARKDOWN_LIMIT`] with a note.

use std::fmt::Write;

use super::text::{heading, instance_lines};
use super::{Plan, PlanRevision, short_rev, summary_line};

/// GitHub refuses comments of 65,536 characters or more; stay clearly below.
pub const MARKDOWN_LIMIT: usize = 65_000;

/// Room kept for closing the fence and the truncation note.
const RESERVE: usize = 1_000;

/// A fence longer than any run of backticks in `lines`.
fn fence_for<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let longest = lines
        .map(|l| l.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn rev_code(r: &PlanRevision) -> String {
    format!("`{}`", short_rev(r).replace('`', "'"))
}

/// The plan as markdown of at most `limit` characters (use [`MARKDOWN_LIMIT`]).
pub fn to_markdown(plan: &Plan, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### homeamp plan: {} → {}\n",
        rev_code(&plan.base),
        rev_code(&plan.head)
    );
    let _ = writeln!(out, "**{}**\n", summary_line(&plan.summary));
    if plan.instances.is_empty() {
        let _ = writeln!(out, "No changes.");
        return out;
    }
    let budget = limit.saturating_sub(RESERVE);
    let total_lines: usize = plan
        .instances
        .iter()
        .map(|i| instance_lines(i).len().max(1))
        .sum();
    let mut shown_lines = 0;
    let mut shown_instances = 0;
    let mut truncated = false;
    'instances: for instance in &plan.instances {
        let lines: Vec<String> = instance_lines(instance)
            .into_iter()
            .map(|(depth, text)| format!("{}{text}", "  ".repeat(depth)))
            .collect();
        let fence = fence_for(lines.iter().map(String::as_str));
        let head = format!(
            "#### {}\n{fence}diff\n",
            heading(instance).replace('`', "'")
        );
        if out.chars().count() + head.chars().count() + fence.len() + 1 > budget {
            truncated = true;
            break;
        }
        out.push_str(&head);
        shown_instances += 1;
        if lines.is_empty() {
            shown_lines += 1;
        }
        let mut used = out.chars().count();
        for line in &lines {
            let len = line.chars().count() + 1;
            if used + len + fence.len() + 1 > budget {
                let _ = writeln!(out, "{fence}");
                truncated = true;
                break 'instances;
            }
            out.push_str(line);
            out.push('\n');
            used += len;
            shown_lines += 1;
        }
        let _ = writeln!(out, "{fence}\n");
    }
    if truncated {
        let _ = writeln!(
            out,
            "\n> **Truncated** to fit one comment: showing {shown_lines} of {total_lines} lines, {shown_instances} of {} instances. The counts above are complete; run `homeamp plan --base {} --head {}` for the whole plan.",
            plan.instances.len(),
            plan.base.sha.as_deref().unwrap_or(&plan.base.requested),
            plan.head.sha.as_deref().unwrap_or(&plan.head.requested),
        );
    }
    out
}
