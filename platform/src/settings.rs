//! Settings read from the environment: `DATABASE_URL` (unset = the SQLite file `./data/gridbot.db`).

use std::path::Path;

/// The SQLite database used when `DATABASE_URL` is unset.
pub const DEFAULT_SQLITE_PATH: &str = "./data/gridbot.db";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `postgres://…` or `sqlite://path?mode=rwc`.
    pub database_url: String,
    pub max_connections: u32,
}

impl Settings {
    pub fn from_env() -> Self {
        let url = std::env::var("DATABASE_URL").ok().filter(|s| !s.trim().is_empty());
        Settings {
            database_url: url.unwrap_or_else(|| sqlite_url(Path::new(DEFAULT_SQLITE_PATH))),
            max_connections: 10,
        }
    }

    /// SQLite at `path`, created on first connection along with its directory.
    pub fn sqlite(path: &Path) -> Self {
        Settings { database_url: sqlite_url(path), max_connections: 5 }
    }

    pub fn postgres(url: &str) -> Self {
        Settings { database_url: url.to_owned(), max_connections: 10 }
    }

    /// The file behind a SQLite URL, if this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        let rest = self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_found() {
        let s = Settings::sqlite(Path::new("./data/gridbot.db"));
        assert_eq!(s.sqlite_path(), Some(Path::new("./data/gridbot.db")));
        assert_eq!(Settings::postgres("postgres://localhost/x").sqlite_path(), None);
    }
}
