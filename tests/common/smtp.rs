//! A real SMTP server for the tests, on a loopback port of its own.
//!
//! The protocol is mailin's (EHLO, pipelined commands, MAIL/RCPT/DATA with
//! dot-unstuffing, RSET, NOOP, QUIT, AUTH PLAIN/LOGIN): a `Session` turns
//! each line received into the answer to send. This harness adds the
//! sockets — one thread accepting, one per connection — and records what
//! the server receives (the envelope and the raw bytes, parsed back with
//! mail-parser), refuses chosen recipients permanently (550) or temporarily
//! (451), checks a password when told to, and counts the connections, which
//! shows whether the client reuses them. Dropping the last handle stops it.

use mail_parser::{Message, MessageParser};
use mailin::{response, Action, AuthMechanism, Handler, Response, SessionBuilder};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a connection may stay silent before the server drops it.
const IDLE: Duration = Duration::from_secs(120);

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
    /// `(user, password)` when AUTH is required.
    login: Option<(String, String)>,
    connections: usize,
    /// How long the server takes to accept each message.
    delay: std::time::Duration,
}

/// The running server, and what it saw. Clones share it; it stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct SmtpServer {
    shared: Arc<Mutex<Shared>>,
    _stop: Arc<StopOnDrop>,
    pub port: u16,
}

impl SmtpServer {
    /// Starts a server on `127.0.0.1` and a free port; returns it and its
    /// `smtp://127.0.0.1:PORT` URL. The port is listening when this returns.
    pub fn start() -> (SmtpServer, String) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port for the SMTP server");
        let port = listener.local_addr().expect("the listener's address").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(StopOnDrop { port, stopped: Arc::new(AtomicBool::new(false)) });
        let (state, stopped) = (Arc::clone(&shared), Arc::clone(&stop.stopped));
        std::thread::Builder::new()
            .name(format!("smtp-{port}"))
            .spawn(move || accept_loop(listener, state, stopped))
            .expect("start the SMTP server thread");
        (SmtpServer { shared, _stop: stop, port }, format!("smtp://127.0.0.1:{port}"))
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

    /// Connections from now on must log in (AUTH PLAIN or LOGIN, offered on
    /// the plain connection) as `user` with `password`; anything else is 535.
    pub fn require_login(&self, user: &str, password: &str) {
        self.lock().login = Some((user.to_string(), password.to_string()));
    }

    /// Every message accepted so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.lock().connections
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().expect("the SMTP server's state")
    }
}

/// Stops the accept loop: sets the flag, then wakes `accept` with a
/// connection of its own.
struct StopOnDrop {
    port: u16,
    stopped: Arc<AtomicBool>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Mutex<Shared>>, stopped: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stopped.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let session = Session::new(Arc::clone(&shared));
        let login_required = {
            let mut state = session.lock();
            state.connections += 1;
            state.login.is_some()
        };
        std::thread::spawn(move || {
            let _ = serve(stream, session, login_required);
        });
    }
}

/// One connection: the greeting, then each line read is handed to mailin's
/// session and its answer written back, until QUIT or the client leaves.
fn serve(stream: TcpStream, handler: Session, login_required: bool) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let remote = stream.peer_addr()?.ip();
    let mut builder = SessionBuilder::new("smtp.relance.test");
    if login_required {
        builder.enable_auth(AuthMechanism::Plain).enable_auth(AuthMechanism::Login).insecure_enable_plaintext_auth();
    }
    let mut session = builder.build(remote, handler);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = BufWriter::new(stream);
    session.greeting().write_to(&mut writer)?;
    writer.flush()?;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let answer = session.process(&line);
        if answer.action == Action::NoReply {
            continue;
        }
        answer.write_to(&mut writer)?;
        // Pipelined commands are answered together, once the client waits.
        if reader.buffer().is_empty() {
            writer.flush()?;
        }
        if answer.action == Action::Close {
            return writer.flush();
        }
    }
}

/// One connection's state, and the server's shared one.
struct Session {
    shared: Arc<Mutex<Shared>>,
    data: Vec<u8>,
    from: String,
    to: Vec<String>,
}

impl Session {
    fn new(shared: Arc<Mutex<Shared>>) -> Self {
        Self { shared, data: vec![], from: String::new(), to: vec![] }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().expect("the SMTP server's state")
    }

    fn check_login(&self, user: &str, password: &str) -> Response {
        match &self.lock().login {
            Some((u, p)) if u == user && p == password => response::AUTH_OK,
            _ => response::INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Session {
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

    fn auth_plain(&mut self, _authorization_id: &str, authentication_id: &str, password: &str) -> Response {
        self.check_login(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.check_login(username, password)
    }
}
