//! The request-body deadline: a client has `KAIROS_BODY_TIMEOUT_SECS` from the end of its
//! headers to send the whole body. A body that stops or trickles is cut off with 408 and the
//! connection closed, so slow clients cannot hold workers and connections open. (actix itself
//! limits only the headers, to 5 s.)

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use futures_util::Stream;

use crate::error::ApiError;

/// How long a request's body may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// The request's body, which fails once the deadline has passed and says so in `expired`.
struct Deadline {
    body: Payload,
    timer: Pin<Box<tokio::time::Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Poll::Ready(item) = Pin::new(&mut this.body).poll_next(cx) {
            return Poll::Ready(item);
        }
        if this.timer.as_mut().poll(cx).is_ready() {
            this.expired.set(true);
            let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
            return Poll::Ready(Some(Err(PayloadError::Io(late))));
        }
        Poll::Pending
    }
}

pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limit) = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let body = req.take_payload();
    if matches!(body, Payload::None) {
        // No body to wait for (a GET, or `Content-Length: 0`).
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let expired = Rc::new(Cell::new(false));
    let body = Deadline {
        body,
        timer: Box::pin(tokio::time::sleep(limit)),
        expired: expired.clone(),
    };
    let body: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(body);
    req.set_payload(Payload::from(body));
    let path = req.path().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    if !expired.get() {
        return Ok(res);
    }
    // Whatever the reader made of the failed body, the answer is the timeout's.
    let mut timeout = ApiError::RequestTimeout(format!(
        "The request body did not arrive within {} s",
        limit.as_secs()
    ))
    .envelope(Some(&path));
    // The rest of the body may still be on its way: the connection cannot be reused.
    timeout
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(res.into_response(timeout))
}
