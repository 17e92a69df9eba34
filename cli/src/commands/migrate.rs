//! `gridbot migrate`: apply the schema's pending migrations and say where.

use gridbot_platform::{Settings, connect, migrate};

use crate::settings::Source;

pub async fn run() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let settings = Settings::from_lookup(Source::env().lookup());
    let db = connect(&settings).await?;
    migrate(&db).await?;
    println!("database schema is up to date ({})", redact(&settings.database_url));
    Ok(())
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(super::redact("postgres://gb:secret@db:5432/gridbot"), "postgres://gb:***@db:5432/gridbot");
        assert_eq!(super::redact("sqlite://./data/gridbot.db?mode=rwc"), "sqlite://./data/gridbot.db?mode=rwc");
    }
}
