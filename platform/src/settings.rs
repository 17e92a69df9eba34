//! Where the database, queue, events and locks are, as the binary read them (`from_lookup`): `DATABASE_URL` (unset = the SQLite file `./data/gridbot.db`), `REDIS_URL`
//! (unset = embedded: jobs in a SQLite file of their own, events and locks in-process) and `GRIDBOT_JOBS_DB` (that
//! file; default `jobs.db` beside the SQLite database, or `./data/jobs.db`).

use std::path::{Path, PathBuf};

pub const DEFAULT_NAMESPACE: &str = "gridbot";

/// The SQLite database used when `DATABASE_URL` is unset.
pub const DEFAULT_SQLITE_PATH: &str = "./data/gridbot.db";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `postgres://…` or `sqlite://path?mode=rwc`.
    pub database_url: String,
    pub max_connections: u32,
    /// `redis://…`: jobs, events and locks in Redis (distributed); `None` = embedded.
    pub redis_url: Option<String>,
    /// The embedded job queue's SQLite file, when set explicitly.
    pub jobs_db: Option<PathBuf>,
    /// Prefix of every Redis key, channel and the queue's name (`GRIDBOT_NAMESPACE`, default `gridbot`): two
    /// deployments, or two test runs, sharing one Redis stay apart.
    pub namespace: String,
}

impl Settings {
    /// Reads `DATABASE_URL`, `REDIS_URL`, `GRIDBOT_JOBS_DB` and `GRIDBOT_NAMESPACE` through `get` (the binary's one
    /// settings source); a blank value counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| get(name).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| sqlite_url(Path::new(DEFAULT_SQLITE_PATH))),
            max_connections: 10,
            redis_url: var("REDIS_URL"),
            jobs_db: var("GRIDBOT_JOBS_DB").map(PathBuf::from),
            namespace: var("GRIDBOT_NAMESPACE").unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
        }
    }

    /// SQLite at `path`, created on first connection along with its directory.
    pub fn sqlite(path: &Path) -> Self {
        Settings {
            database_url: sqlite_url(path),
            max_connections: 5,
            redis_url: None,
            jobs_db: None,
            namespace: DEFAULT_NAMESPACE.to_owned(),
        }
    }

    pub fn postgres(url: &str) -> Self {
        Settings {
            database_url: url.to_owned(),
            max_connections: 10,
            redis_url: None,
            jobs_db: None,
            namespace: DEFAULT_NAMESPACE.to_owned(),
        }
    }

    /// Redis keys, channels and the queue name under `namespace`.
    pub fn with_namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.to_owned();
        self
    }

    /// Jobs, events and locks in Redis at `url`.
    pub fn with_redis(mut self, url: &str) -> Self {
        self.redis_url = Some(url.to_owned());
        self
    }

    /// The embedded job queue's SQLite file: `GRIDBOT_JOBS_DB`, else `jobs.db` beside the SQLite database, else
    /// `./data/jobs.db`.
    pub fn jobs_path(&self) -> PathBuf {
        if let Some(p) = &self.jobs_db {
            return p.clone();
        }
        match self.sqlite_path().and_then(Path::parent) {
            Some(dir) => dir.join("jobs.db"),
            None => PathBuf::from("./data/jobs.db"),
        }
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

    #[test]
    fn unset_and_blank_values_take_the_embedded_defaults() {
        let s = Settings::from_lookup(|name| (name == "REDIS_URL").then(|| " ".to_owned()));
        assert_eq!(s, Settings { max_connections: 10, ..Settings::sqlite(Path::new(DEFAULT_SQLITE_PATH)) });
        let s = Settings::from_lookup(|name| match name {
            "DATABASE_URL" => Some("postgres://db/gridbot".into()),
            "REDIS_URL" => Some("redis://cache:6379".into()),
            "GRIDBOT_NAMESPACE" => Some("blue".into()),
            _ => None,
        });
        assert_eq!(
            (s.database_url.as_str(), s.redis_url.as_deref()),
            ("postgres://db/gridbot", Some("redis://cache:6379"))
        );
        assert_eq!(s.namespace, "blue");
    }
}
