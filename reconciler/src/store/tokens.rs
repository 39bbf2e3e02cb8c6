//! API and agent tokens. The store keeps the sha256 of each token, never the token: the
//! plaintext exists once, in the value [`Store::create_token`] returns.
//!
//! Tokens are 32 random bytes from the operating system, so a plain sha256 is enough (no
//! password hashing needed). A name identifies at most one unrevoked token.

use jiff::Timestamp;

use crate::store::codec::{millis, opt_timestamp, sha256_hex, text_enum, timestamp};
use crate::store::{Store, StoreError};

/// Prefix of generated tokens, so they are recognisable in a config file or a leak scan.
const TOKEN_PREFIX: &str = "hamp_";
/// How stale `last_used_at` may get before a verification writes it again.
const LAST_USED_RESOLUTION_SECS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads status, drift, jobs.
    Viewer,
    /// Also approves jobs and triggers reconciles and backups.
    Operator,
    /// Everything, including tokens.
    Admin,
    /// An agent: speaks for exactly one server on the agent endpoints.
    Agent,
}

text_enum!(Role, "tokens.role", {
    Viewer => "viewer",
    Operator => "operator",
    Admin => "admin",
    Agent => "agent",
});

/// A token to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// The server an agent token speaks for: required for [`Role::Agent`], refused otherwise.
    pub server: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub server: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// The last successful [`Store::verify_token`], to the minute.
    pub last_used_at: Option<Timestamp>,
}

/// A freshly created token and its plaintext, which the store does not keep.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: Token,
    pub secret: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &self.token)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    role: String,
    server: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

const SELECT: &str =
    "SELECT id, name, role, server, created_at, revoked_at, last_used_at FROM tokens";

impl TryFrom<TokenRow> for Token {
    type Error = StoreError;
    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(Token {
            id: row.id,
            role: Role::from_column(&row.role)?,
            created_at: timestamp("tokens.created_at", row.created_at)?,
            revoked_at: opt_timestamp("tokens.revoked_at", row.revoked_at)?,
            last_used_at: opt_timestamp("tokens.last_used_at", row.last_used_at)?,
            name: row.name,
            server: row.server,
        })
    }
}

fn generate_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

impl Store {
    /// Creates a token with a new random secret, returned once in [`IssuedToken::secret`].
    pub async fn create_token(
        &self,
        new: &NewToken,
        at: Timestamp,
    ) -> Result<IssuedToken, StoreError> {
        let secret = generate_secret()?;
        let token = self.register_token(new, &secret, at).await?;
        Ok(IssuedToken { token, secret })
    }

    /// Stores the hash of a token chosen elsewhere (e.g. read from the host's config).
    pub async fn register_token(
        &self,
        new: &NewToken,
        secret: &str,
        at: Timestamp,
    ) -> Result<Token, StoreError> {
        let problem = match (new.role, &new.server) {
            _ if new.name.trim().is_empty() => Some("a token needs a name"),
            _ if secret.len() < 16 => Some("a token secret needs at least 16 characters"),
            (Role::Agent, None) => Some("an agent token must name its server"),
            (Role::Agent, Some(_)) => None,
            (_, Some(_)) => Some("only agent tokens name a server"),
            (_, None) => None,
        };
        if let Some(problem) = problem {
            return Err(StoreError::InvalidToken {
                name: new.name.clone(),
                problem,
            });
        }
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO tokens (name, active_name, role, server, token_sha256, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&new.name)
            .bind(&new.name)
            .bind(new.role.as_str())
            .bind(&new.server)
            .bind(sha256_hex(secret.as_bytes()))
            .bind(millis(at))
            .execute(pool)
            .await
            .map(drop)
            .map_err(StoreError::from)
        });
        match inserted {
            Err(e) if e.is_unique_violation() => Err(StoreError::TokenNameTaken(new.name.clone())),
            other => other,
        }?;
        self.active_token(&new.name)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "token",
                name: new.name.clone(),
            })
    }

    /// The unrevoked token whose secret is `secret`, if any.
    pub async fn verify_token(&self, secret: &str) -> Result<Option<Token>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE token_sha256 = ? AND revoked_at IS NULL"
        ));
        let hash = sha256_hex(secret.as_bytes());
        let row: Option<TokenRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(&hash).fetch_optional(pool).await?);
        let Some(mut token) = row.map(Token::try_from).transpose()? else {
            return Ok(None);
        };
        // Bookkeeping, not on every request: one write per token per minute at most.
        let now = timestamp("tokens.last_used_at", millis(Timestamp::now()))?;
        let stale = token
            .last_used_at
            .is_none_or(|at| now.duration_since(at).as_secs() >= LAST_USED_RESOLUTION_SECS);
        if stale {
            with_pool!(self, pool => {
                sqlx::query("UPDATE tokens SET last_used_at = ? WHERE id = ?")
                    .bind(millis(now))
                    .bind(token.id)
                    .execute(pool)
                    .await?;
            });
            token.last_used_at = Some(now);
        }
        Ok(Some(token))
    }

    /// Revokes the unrevoked token named `name`. False if there was none.
    pub async fn revoke_token(&self, name: &str, at: Timestamp) -> Result<bool, StoreError> {
        let revoked = with_pool!(self, pool => {
            sqlx::query("UPDATE tokens SET revoked_at = ?, active_name = NULL WHERE active_name = ?")
                .bind(millis(at))
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(revoked == 1)
    }

    /// Every token, revoked ones included, oldest first.
    pub async fn list_tokens(&self) -> Result<Vec<Token>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id"));
        let rows: Vec<TokenRow> =
            with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter().map(Token::try_from).collect()
    }

    async fn active_token(&self, name: &str) -> Result<Option<Token>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE active_name = ?"));
        let row: Option<TokenRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(name).fetch_optional(pool).await?);
        row.map(Token::try_from).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_prefixed_long_and_different() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_ne!(a, b);
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let issued = IssuedToken {
            token: Token {
                id: 1,
                name: "ci".into(),
                role: Role::Viewer,
                server: None,
                created_at: Timestamp::UNIX_EPOCH,
                revoked_at: None,
                last_used_at: None,
            },
            secret: "hamp_0123456789abcdef".into(),
        };
        assert!(!format!("{issued:?}").contains("0123456789abcdef"));
    }
}
