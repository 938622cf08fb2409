//! A real SMTP server for the tests, on a loopback port of its own.
//!
//! mailin-embedded speaks SMTP (EHLO, MAIL, RCPT, DATA with dot-unstuffing,
//! RSET, NOOP, QUIT) on blocking threads; this harness records what it
//! receives — the envelope and the raw bytes, parsed back with mail-parser —
//! refuses chosen recipients permanently (550) or temporarily (451), and
//! counts the SMTP sessions opened, which shows whether the client reuses
//! its connections. The server runs until the test process ends.

use mail_parser::{Message, MessageParser};
use mailin_embedded::{response, Handler, Response, Server};
use std::collections::HashMap;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};

/// Sessions served at once: more than any test's senders.
const THREADS: u32 = 40;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// MAIL FROM.
    pub from: String,
    /// Every accepted RCPT TO, Bcc included.
    pub to: Vec<String>,
    /// The message's bytes after DATA, as a mailbox would store them.
    pub raw: Vec<u8>,
}

impl Received {
    /// The message read the way a mail client reads it.
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default().parse(&self.raw).expect("mail-parser reads the received message")
    }
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    Permanent,
    Temporary,
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    refused: HashMap<String, Refusal>,
    sessions: usize,
    /// How long the server takes to accept each message.
    delay: std::time::Duration,
}

/// The running server, and what it saw.
#[derive(Clone)]
pub struct SmtpServer {
    shared: Arc<Mutex<Shared>>,
    pub port: u16,
}

impl SmtpServer {
    /// Starts a server on `127.0.0.1` and a free port; returns it and its
    /// `smtp://127.0.0.1:PORT` URL. The port is listening when this returns.
    pub fn start() -> (SmtpServer, String) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port for the SMTP server");
        let port = listener.local_addr().expect("the listener's address").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let mut server = Server::new(Session::new(Arc::clone(&shared)));
        server.with_name("smtp.relance.test").with_num_threads(THREADS).with_tcp_listener(listener);
        std::thread::Builder::new()
            .name(format!("smtp-{port}"))
            .spawn(move || server.serve().expect("the test SMTP server stopped"))
            .expect("start the SMTP server thread");
        (SmtpServer { shared, port }, format!("smtp://127.0.0.1:{port}"))
    }

    /// RCPT TO `address` is answered `550 5.1.1` from now on.
    pub fn refuse_permanently(&self, address: &str) {
        self.lock().refused.insert(address.to_ascii_lowercase(), Refusal::Permanent);
    }

    /// RCPT TO `address` is answered `451 4.3.0` from now on.
    pub fn refuse_temporarily(&self, address: &str) {
        self.lock().refused.insert(address.to_ascii_lowercase(), Refusal::Temporary);
    }

    /// `address` is accepted again.
    pub fn accept(&self, address: &str) {
        self.lock().refused.remove(&address.to_ascii_lowercase());
    }

    /// Each message takes `delay` to be accepted from now on: a slow server,
    /// so a test can stop a sender in the middle of a batch.
    pub fn slow_down(&self, delay: std::time::Duration) {
        self.lock().delay = delay;
    }

    /// Every message accepted so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// SMTP sessions opened so far (one EHLO each, once per connection).
    pub fn sessions(&self) -> usize {
        self.lock().sessions
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().expect("the SMTP server's state")
    }
}

/// One connection's state; mailin-embedded clones the template per connection.
#[derive(Clone)]
struct Session {
    shared: Arc<Mutex<Shared>>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Session {
    fn new(shared: Arc<Mutex<Shared>>) -> Self {
        Self { shared, from: String::new(), to: vec![], data: vec![] }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().expect("the SMTP server's state")
    }
}

impl Handler for Session {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        self.lock().sessions += 1;
        response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.from = from.to_string();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        match self.lock().refused.get(&to.to_ascii_lowercase()) {
            Some(Refusal::Permanent) => Response::custom(550, format!("5.1.1 <{to}>: Recipient address rejected")),
            Some(Refusal::Temporary) => Response::custom(451, format!("4.3.0 <{to}>: Try again later")),
            None => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_string();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    /// Stores the message before answering, so a client that got its 250
    /// finds the message in [`SmtpServer::received`].
    fn data_end(&mut self) -> Response {
        let delay = self.lock().delay;
        std::thread::sleep(delay);
        let message = Received { from: self.from.clone(), to: self.to.clone(), raw: std::mem::take(&mut self.data) };
        let mut shared = self.lock();
        shared.received.push(message);
        Response::custom(250, format!("2.0.0 Ok: queued as Q{}", shared.received.len()))
    }
}
