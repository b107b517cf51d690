//! A form that sends one file: its `file` field and its form token, read from the multipart
//! body; a body past the route's limit is a 413 naming `max_bytes`.

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::kit::error::AppError;

/// The file sent (its name and bytes) and the form's token.
pub(crate) async fn file_and_token(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<(String, Vec<u8>, Option<String>), AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge { max_bytes },
        _ => AppError::UnreadableBody(e.body_text()),
    };
    let (mut name, mut data, mut csrf) = (String::new(), Vec::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or_default().to_string();
                data = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            _ => {}
        }
    }
    Ok((name, data, csrf))
}
