//! Signing in and out: sessions started and ended, the throttle on sign-in attempts (counted
//! in the database, so instances agree) and password hashing off the request threads.

use agio_domain::credentials::{new_token, token_hash};
use agio_store::{Attempt, Person, ThrottlePolicy};
use axum::http::HeaderValue;
use time::{Duration, OffsetDateTime};

use crate::kit::auth::{cookie, expired_cookie, SignedIn, ABSOLUTE_LIMIT, IDLE_LIMIT, SESSION_COOKIE};
use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// Sign-in attempts from one address: ten in a quarter of an hour, then each waits twice as
/// long as the one before (1 s, 2 s, 4 s…), five minutes at most.
pub const ADDRESS_POLICY: ThrottlePolicy =
    ThrottlePolicy { free: 10, window: Duration::minutes(15), longest_wait: Duration::minutes(5) };
/// Sign-in attempts on one account from addresses that have tried before: five, then waits
/// doubling up to a quarter of an hour.
pub const ACCOUNT_POLICY: ThrottlePolicy =
    ThrottlePolicy { free: 5, window: Duration::minutes(15), longest_wait: Duration::minutes(15) };

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// How a session was started: what it proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedInWith {
    /// A password, or a link mailed to the person.
    Password,
    /// A digital identity (SPID, CIE, the gateway).
    Identity,
}

/// Starts a new session for `person` (a new token every time: no fixation); returns the cookie.
pub async fn start_session(state: &AppState, person: &Person, with: SignedInWith) -> Result<HeaderValue, AppError> {
    let token = new_token();
    let with_identity = with == SignedInWith::Identity;
    state.store.create_session(&token_hash(&token), &person.id, &new_token(), with_identity).await?;
    // Housekeeping: sign-ins are rare enough to carry it.
    let now = OffsetDateTime::now_utc();
    state.store.delete_expired_sessions(&rfc3339(now - ABSOLUTE_LIMIT), &rfc3339(now - IDLE_LIMIT)).await?;
    Ok(cookie(SESSION_COOKIE, &token, state.secure_cookies))
}

pub async fn end_session(state: &AppState, signed_in: &SignedIn) -> Result<HeaderValue, AppError> {
    state.store.delete_session(&signed_in.token_hash).await?;
    state.sessions.forget(&signed_in.token_hash);
    Ok(expired_cookie(SESSION_COOKIE, state.secure_cookies))
}

/// A sign-in attempt that has been counted, to be settled once the password is checked.
pub struct SignInTurn {
    address: String,
    account: String,
}

/// Takes a sign-in attempt for `email` from `address`, or answers how long to wait. The address
/// always counts; the account only when this address has tried before in its window, so that
/// the right password from an address that has not failed still signs in, whatever others
/// tried on the account. Attempts are counted before the password is checked, atomically.
pub async fn take_sign_in_turn(state: &AppState, email: &str, address: &str) -> Result<SignInTurn, AppError> {
    let now = state.clock.now();
    let turn = SignInTurn {
        address: format!("address:{address}"),
        account: format!("account:{}", agio_store::normalize_email(email)),
    };
    let earlier = match state.store.take_attempt(&turn.address, &ADDRESS_POLICY, now).await? {
        Attempt::Taken { earlier } => earlier,
        Attempt::Wait(wait) => return Err(AppError::TooManyAttempts { wait }),
    };
    if earlier > 0 {
        if let Attempt::Wait(wait) = state.store.take_attempt(&turn.account, &ACCOUNT_POLICY, now).await? {
            return Err(AppError::TooManyAttempts { wait });
        }
    }
    Ok(turn)
}

impl SignInTurn {
    /// The right password: the address gets its attempt back and the account starts afresh.
    pub async fn succeeded(self, state: &AppState) -> Result<(), AppError> {
        state.store.give_back_attempt(&self.address).await?;
        state.store.forget_attempts(&self.account).await?;
        Ok(())
    }

    /// A wrong password: the attempts stay counted; scopes whose window is over are dropped,
    /// so that anonymous attempts never grow the table without bound.
    pub async fn failed(self, state: &AppState) -> Result<(), AppError> {
        state.store.forget_old_attempts(state.clock.now() - ADDRESS_POLICY.window).await?;
        Ok(())
    }
}

/// A `Location` for after sign-in: a path on this site (see `redirect`), the personal area otherwise.
pub fn safe_next(next: Option<&str>) -> String {
    crate::kit::redirect::local_path_or(next, "/area-personale")
}

/// At most this many passwords are hashed or checked at once (argon2 is slow on purpose).
const PASSWORD_WORKERS: usize = 2;

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The threads that hash and check passwords, started on first use and kept. Always the same
/// few threads: argon2 takes 19 MiB a time, and every thread that has ever run it keeps a
/// malloc arena of that size, so a burst on the blocking pool's many threads left hundreds of
/// megabytes behind.
fn password_workers() -> &'static std::sync::mpsc::Sender<PasswordJob> {
    static WORKERS: std::sync::OnceLock<std::sync::mpsc::Sender<PasswordJob>> = std::sync::OnceLock::new();
    WORKERS.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<PasswordJob>();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for n in 0..PASSWORD_WORKERS {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new().name(format!("passwords-{n}")).spawn(move || loop {
                let job = match receiver.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return, // the sender is gone: the process is ending
                }
            });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password thread: {e}");
            }
        }
        sender
    })
}

/// Runs password hashing or checking on the password threads: a burst of sign-ins waits its
/// turn there instead of stalling the threads that serve every page.
pub async fn password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    // A panic stays inside its job, so the thread lives on for the next one.
    let job: PasswordJob = Box::new(move || {
        let _ = answer.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    });
    password_workers().send(job).map_err(|_| AppError::Internal("the password threads have stopped".into()))?;
    match answered.await {
        Ok(Ok(done)) => Ok(done),
        _ => Err(AppError::Internal("password work failed".into())),
    }
}

/// `password`'s argon2 hash, computed off the request threads.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    password_work(move || agio_domain::credentials::hash_password(&password)).await
}
