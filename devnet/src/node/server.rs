//! HTTP transport: JSON-RPC 2.0 over HTTP/1.1 (single and batch requests), bounded bodies,
//! CORS for browser wallets, interval mining.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::rpc::{self, RpcError};
use super::Shared;

/// Largest request body accepted (10 MiB: a Stylus deployment is at most ~50 KB of hex).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Most requests in one batch.
const MAX_BATCH: usize = 1_000;

/// Accepts connections until `stop` turns true.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("devnet node: cannot listen: {e}");
            return;
        }
    };
    if let Some(period) = shared.config.block_time {
        shared.lock().automine = false;
        let miner = shared.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.tick().await;
            loop {
                tokio::select! {
                    _ = ticks.tick() => {
                        let m = miner.clone();
                        let _ = tokio::task::spawn_blocking(move || m.lock().mine_pending()).await;
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = stop.changed() => break,
        }
    }
}

fn response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("content-type, authorization"),
    );
    response
}

fn error_body(id: Value, error: &RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() })
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    match *req.method() {
        Method::OPTIONS => return response(StatusCode::NO_CONTENT, Vec::new()),
        Method::POST => {}
        _ => {
            let body = error_body(
                Value::Null,
                &RpcError::invalid_request("JSON-RPC requests are HTTP POSTs"),
            );
            return response(
                StatusCode::METHOD_NOT_ALLOWED,
                body.to_string().into_bytes(),
            );
        }
    }
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        let body = error_body(
            Value::Null,
            &RpcError::invalid_request(format!("request body larger than {MAX_BODY_BYTES} bytes")),
        );
        response(StatusCode::PAYLOAD_TOO_LARGE, body.to_string().into_bytes())
    };
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return too_large();
    }
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return too_large();
            }
            let body = error_body(
                Value::Null,
                &RpcError::invalid_request(format!("cannot read request body: {e}")),
            );
            return response(StatusCode::BAD_REQUEST, body.to_string().into_bytes());
        }
    };
    let result = tokio::task::spawn_blocking(move || process(&shared, &body)).await;
    match result {
        Ok(Some(out)) => response(StatusCode::OK, out.into_bytes()),
        Ok(None) => response(StatusCode::OK, Vec::new()),
        Err(e) => {
            let body = error_body(Value::Null, &RpcError::internal(e.to_string()));
            response(
                StatusCode::INTERNAL_SERVER_ERROR,
                body.to_string().into_bytes(),
            )
        }
    }
}

/// Handles one HTTP body: a request or a batch. `None` when only notifications were sent.
pub(crate) fn process(shared: &Shared, body: &[u8]) -> Option<String> {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(
                error_body(Value::Null, &RpcError::parse(format!("parse error: {e}"))).to_string(),
            )
        }
    };
    match parsed {
        Value::Array(batch) => {
            if batch.is_empty() {
                return Some(
                    error_body(Value::Null, &RpcError::invalid_request("empty batch")).to_string(),
                );
            }
            if batch.len() > MAX_BATCH {
                return Some(
                    error_body(
                        Value::Null,
                        &RpcError::invalid_request(format!(
                            "batch of {} requests; at most {MAX_BATCH}",
                            batch.len()
                        )),
                    )
                    .to_string(),
                );
            }
            let responses: Vec<Value> = batch
                .into_iter()
                .filter_map(|call| process_one(shared, call))
                .collect();
            (!responses.is_empty()).then(|| Value::Array(responses).to_string())
        }
        call => process_one(shared, call).map(|v| v.to_string()),
    }
}

/// One request object; `None` for a notification (no `id`).
fn process_one(shared: &Shared, call: Value) -> Option<Value> {
    let Value::Object(call) = call else {
        return Some(error_body(
            Value::Null,
            &RpcError::invalid_request("a request must be a JSON object"),
        ));
    };
    let id = call.get("id").cloned();
    let valid_id = matches!(
        id,
        None | Some(Value::Null | Value::Number(_) | Value::String(_))
    );
    let reply_id = if valid_id {
        id.clone().unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let method = match call.get("method") {
        Some(Value::String(m)) if valid_id => m.as_str(),
        _ => {
            return Some(error_body(
                reply_id,
                &RpcError::invalid_request("invalid request: expected \"method\" (a string) and an \"id\" that is a number, string or null"),
            ))
        }
    };
    if call.get("jsonrpc").is_some_and(|v| v != "2.0") {
        return Some(error_body(
            reply_id,
            &RpcError::invalid_request("only JSON-RPC 2.0 is supported"),
        ));
    }
    let params = call.get("params").cloned().unwrap_or(Value::Null);
    let outcome =
        std::panic::catch_unwind(AssertUnwindSafe(|| rpc::dispatch(shared, method, &params)))
            .unwrap_or_else(|_| Err(RpcError::internal(format!("internal error in {method}"))));
    let id = id?;
    Some(match outcome {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => error_body(id, &error),
    })
}
