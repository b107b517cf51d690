//! GraphQL over HTTP to a Decidim instance: `POST {instance}/api` with a JSON body, through
//! hyper with rustls (already in the tree for the OpenID client). No redirects are followed,
//! every call has a timeout and a body limit.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use crate::DecidimError;

const TIMEOUT: Duration = Duration::from_secs(20);
/// A page of 50 proposals with their texts is well under a megabyte.
const MAX_BODY: usize = 16 << 20;

#[derive(Clone)]
pub struct GraphQl {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    endpoint: String,
}

/// What a GraphQL server answered: its data (possibly partial) and its errors.
pub struct Answer {
    pub data: Value,
    pub errors: Vec<Value>,
}

impl GraphQl {
    pub fn new(instance_url: &str) -> Result<GraphQl, DecidimError> {
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| DecidimError::Unreachable(e.to_string()))?
            // http is accepted for loopback test servers; the allowed instances are https.
            .https_or_http()
            .enable_http1()
            .build();
        let endpoint = format!("{}/api", instance_url.trim_end_matches('/'));
        Ok(GraphQl { client: Client::builder(TokioExecutor::new()).build(https), endpoint })
    }

    pub async fn query(&self, document: &str, operation: &str, variables: Value) -> Result<Answer, DecidimError> {
        let body = json!({"query": document, "operationName": operation, "variables": variables});
        let request = hyper::Request::post(&self.endpoint)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("AGIO/", env!("CARGO_PKG_VERSION"), " (Decidim connector)"))
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| DecidimError::Unreachable(e.to_string()))?;
        let response = tokio::time::timeout(TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| DecidimError::Unreachable(format!("no answer within {} s", TIMEOUT.as_secs())))?
            .map_err(|e| DecidimError::Unreachable(e.to_string()))?;
        let status = response.status();
        let bytes = tokio::time::timeout(TIMEOUT, Limited::new(response.into_body(), MAX_BODY).collect())
            .await
            .map_err(|_| DecidimError::Unreachable(format!("no answer within {} s", TIMEOUT.as_secs())))?
            .map_err(|e| DecidimError::Unreachable(e.to_string()))?
            .to_bytes();
        if !status.is_success() {
            return Err(DecidimError::Status(status.as_u16()));
        }
        let mut answer: Value = serde_json::from_slice(&bytes).map_err(|_| DecidimError::NotGraphQl)?;
        if !answer.is_object() {
            return Err(DecidimError::NotGraphQl);
        }
        let errors = match answer["errors"].take() {
            Value::Array(errors) => errors,
            _ => Vec::new(),
        };
        Ok(Answer { data: answer["data"].take(), errors })
    }
}
