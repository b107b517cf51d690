//! The Community Lab's e-mails, through the mailer every AGIO mail goes through: a person is
//! told when their idea is answered, hidden or commented, and when a meeting they registered
//! for changes, unless they turned that kind off (`/area-personale/notifiche`). The links lead
//! to public pages and sign nobody in. Written in Italian, the language of the region's pages.

use agio_domain::Notification;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::state::AppState;

/// Writes `kind` to those of `people` who take it, the texts filled with `args` (and each
/// recipient's `name`); `path` is the page the mail is about.
pub(crate) async fn notify(
    state: &AppState,
    people: &[String],
    kind: Notification,
    path: &str,
    args: &[(&str, &str)],
) -> Result<(), AppError> {
    let lang = Lang::It;
    let c = lang.catalogue();
    let link = format!("{}{path}", state.base_url);
    let settings = format!("{}/area-personale/notifiche", state.base_url);
    for (email, name) in state.store.recipients(people, kind).await? {
        let mut all: Vec<(&str, &str)> = vec![("name", &name), ("link", &link), ("settings", &settings)];
        all.extend_from_slice(args);
        let subject = c.fmt(&format!("notify.{}.subject", kind.code()), &all);
        let body =
            format!("{}\n\n{}", c.fmt(&format!("notify.{}.body", kind.code()), &all), c.fmt("notify.footer", &all));
        state.mailer.send(&state.store, lang, &email, &subject, &body).await;
    }
    Ok(())
}
