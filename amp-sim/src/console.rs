//! An instance's console: the commands it received (kept for tests) and the lines it
//! printed, answered as a Paper server answers the commands a driver sends around a
//! file change (`save-off`, `save-all flush`, `save-on`) and a player check (`list`).

use std::collections::VecDeque;
use std::time::SystemTime;

/// At most this many lines are kept; older ones are dropped as AMP's console buffer does.
const KEPT_LINES: usize = 1000;

/// One printed line, with its place in the console's whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLine {
    pub seq: u64,
    pub contents: String,
    /// AMP's `Source`: "Server" for the game's own output, the user's name for a command echo.
    pub source: String,
    /// AMP's `Type`: "Console" for output, "Chat" and others exist but are not simulated.
    pub kind: String,
    pub at: SystemTime,
}

/// What a command does to the server besides printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// `stop`: the server shuts down.
    Stop,
}

/// A Paper server's answer to one console command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperAnswer {
    pub lines: Vec<String>,
    pub effect: Effect,
}

/// How Paper answers `command`, given who is online. Pure, so each answer is unit-tested.
pub fn paper_answer(command: &str, online: &[String], max_players: u32) -> PaperAnswer {
    let words: Vec<&str> = command.split_whitespace().collect();
    let lines = |ls: &[&str]| ls.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (lines, effect) = match words.as_slice() {
        ["save-off"] => (lines(&["Automatic saving is now disabled"]), Effect::None),
        ["save-on"] => (lines(&["Automatic saving is now enabled"]), Effect::None),
        ["save-all"] | ["save-all", "flush"] => (
            lines(&[
                "Saving the game (this may take a moment!)",
                "Saved the game",
            ]),
            Effect::None,
        ),
        ["list"] => (
            vec![format!(
                "There are {} of a max of {} players online: {}",
                online.len(),
                max_players,
                online.join(", ")
            )],
            Effect::None,
        ),
        ["stop"] => (lines(&["Stopping the server"]), Effect::Stop),
        _ => (
            lines(&["Unknown or incomplete command, see below for error"]),
            Effect::None,
        ),
    };
    PaperAnswer { lines, effect }
}

/// One instance's console.
#[derive(Debug, Default)]
pub struct Console {
    lines: VecDeque<ConsoleLine>,
    next_seq: u64,
    received: Vec<String>,
}

impl Console {
    /// Records a command as received, whether or not the server was up to answer it.
    pub fn record(&mut self, command: &str) {
        self.received.push(command.to_string());
    }

    pub fn print(&mut self, source: &str, contents: impl Into<String>) {
        self.lines.push_back(ConsoleLine {
            seq: self.next_seq,
            contents: contents.into(),
            source: source.to_string(),
            kind: "Console".to_string(),
            at: SystemTime::now(),
        });
        self.next_seq += 1;
        while self.lines.len() > KEPT_LINES {
            self.lines.pop_front();
        }
    }

    /// Lines from `cursor` on (those still kept), and the cursor after them.
    pub fn since(&self, cursor: u64) -> (Vec<ConsoleLine>, u64) {
        let lines = self
            .lines
            .iter()
            .filter(|l| l.seq >= cursor)
            .cloned()
            .collect();
        (lines, self.next_seq)
    }

    /// The cursor a new session starts at: it sees only what is printed after it logs in.
    pub fn end(&self) -> u64 {
        self.next_seq
    }

    pub fn received(&self) -> &[String] {
        &self.received
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_with_nobody_online_ends_with_the_colon_and_space() {
        let a = paper_answer("list", &[], 20);
        assert_eq!(a.lines, ["There are 0 of a max of 20 players online: "]);
    }

    #[test]
    fn list_names_who_is_online() {
        let a = paper_answer("list", &["Alex".into(), "Steve".into()], 50);
        assert_eq!(
            a.lines,
            ["There are 2 of a max of 50 players online: Alex, Steve"]
        );
    }

    #[test]
    fn save_commands_answer_as_paper_does() {
        assert_eq!(
            paper_answer("save-off", &[], 20).lines,
            ["Automatic saving is now disabled"]
        );
        assert_eq!(
            paper_answer("save-on", &[], 20).lines,
            ["Automatic saving is now enabled"]
        );
        assert_eq!(
            paper_answer("save-all flush", &[], 20).lines,
            [
                "Saving the game (this may take a moment!)",
                "Saved the game"
            ]
        );
    }

    #[test]
    fn stop_stops_and_unknown_commands_are_refused() {
        assert_eq!(paper_answer("stop", &[], 20).effect, Effect::Stop);
        assert_eq!(
            paper_answer("frobnicate", &[], 20).lines,
            ["Unknown or incomplete command, see below for error"]
        );
    }

    #[test]
    fn a_cursor_sees_only_later_lines() {
        let mut c = Console::default();
        c.print("Server", "a");
        let start = c.end();
        c.print("Server", "b");
        let (lines, next) = c.since(start);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].contents, "b");
        assert_eq!(next, 2);
    }
}
