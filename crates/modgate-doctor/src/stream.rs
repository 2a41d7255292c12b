//! A boxed byte stream, so the same TLS and HTTP code runs over a direct TCP
//! connection, a CONNECT tunnel through a proxy, or TLS inside that tunnel.

use tokio::io::{AsyncRead, AsyncWrite};

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type BoxIo = Box<dyn Io>;
