//! The reminder templates: built in, or overridden from a user directory.
//!
//! Templates are minijinja sources named `<lang>/<name>.txt.j2` (plain text)
//! or `<lang>/<name>.html.j2` (the e-mail's HTML part, escaped). The built-in
//! set is compiled into the binary, so the bot works with no files around; a
//! company that wants its own wording copies `templates/` and edits what it
//! wants, file by file. Loading is the only I/O and happens once, at start:
//! a syntax error or a misnamed file stops the bot there, not at 8 a.m. in
//! front of the digest. Undefined variables are errors at render time (strict
//! mode), reported with the template, the line and the offending expression.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use std::path::{Path, PathBuf};

/// Rendering or loading went wrong. Messages name the template file.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to parse or render (syntax error, undefined variable).
    #[error("template {name}: {detail}")]
    Template { name: String, detail: String },
    /// A file in the template directory could not be read.
    #[error("cannot read template {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `.j2` file in the template directory matches no known template (a typo in its name).
    #[error("unknown template file {path} (expected one of: {expected})")]
    UnknownTemplate { path: PathBuf, expected: String },
    /// The SMS text is over the length limit once rendered.
    #[error("SMS for {client} is {len} characters, over the {max} allowed: shorten {name}")]
    SmsTooLong { client: String, name: String, len: usize, max: usize },
}

/// Every template name, relative to the template directory.
macro_rules! builtin_templates {
    ($($name:literal),+ $(,)?) => {
        const BUILTIN: &[(&str, &str)] = &[
            $(
                (concat!("fr/", $name), include_str!(concat!("../../templates/fr/", $name))),
                (concat!("en/", $name), include_str!(concat!("../../templates/en/", $name))),
            )+
        ];
    };
}

builtin_templates!(
    "subject.txt.j2",
    "friendly.txt.j2",
    "courteous.txt.j2",
    "firm.txt.j2",
    "strategic.txt.j2",
    "pre_litigation.txt.j2",
    "formal.txt.j2",
    "sms.txt.j2",
    "_invoices.txt.j2",
    "_followup.txt.j2",
    "_legal.txt.j2",
    "_payment.txt.j2",
    "_signature.txt.j2",
    "email.html.j2",
    "duplicate.txt.j2",
    "instalment_plan.txt.j2",
    "instalment_note.txt.j2",
);

/// A compiled set of templates, ready to render.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The templates shipped with relance (templates/fr, templates/en).
    pub fn builtin() -> Self {
        let mut env = new_environment();
        for (name, source) in BUILTIN {
            env.add_template(name, source).unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"));
        }
        Self { env }
    }

    /// The built-in templates, overridden by the files found in `dir`
    /// (`dir/fr/courteous.txt.j2`, …). Files not present keep the built-in text.
    pub fn from_dir(dir: &Path) -> Result<Self, RenderError> {
        let mut templates = Self::builtin();
        check_no_unknown_files(dir)?;
        for (name, _) in BUILTIN {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            let source =
                std::fs::read_to_string(&path).map_err(|source| RenderError::Io { path: path.clone(), source })?;
            templates.env.add_template_owned(name.to_string(), source).map_err(|e| template_error(name, &e, None))?;
        }
        Ok(templates)
    }

    /// The known template names (`fr/courteous.txt.j2`, …).
    pub fn names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// Renders one template with a context.
    pub(crate) fn render(&self, name: &str, ctx: &Value) -> Result<String, RenderError> {
        let template = self.env.get_template(name).map_err(|e| template_error(name, &e, None))?;
        template.render(ctx).map_err(|e| template_error(name, &e, Some(&self.env)))
    }
}

/// Plain-text output for `.txt.j2` files: no HTML escaping (an `&` in a
/// client's name stays an `&`); `.html.j2` files escape every value (a client
/// named `<script>` is text in the e-mail, not markup). Strict undefined, and
/// block tags that leave no blank lines behind.
fn new_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| if name.ends_with(".html.j2") { AutoEscape::Html } else { AutoEscape::None });
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            out.write_str(&escape_html(text)).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Included partials keep their final newline, so `{% include %}` on its
    // own line behaves like the text it stands for.
    env.set_keep_trailing_newline(true);
    env
}

/// Escapes text for HTML content and quoted attribute values: `& < > " '`.
/// Unlike minijinja's default it leaves `/` alone, which needs no escaping
/// there, so the payment link reads `href="https://pay.example.fr/…"` in the
/// message source (what spam filters and people reading it see). The web
/// pages use it too.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A `.j2` file whose name is not a known template would be silently
/// ignored; a user who typed `courtois.txt.j2` deserves to be told.
fn check_no_unknown_files(dir: &Path) -> Result<(), RenderError> {
    let read =
        |path: &Path| std::fs::read_dir(path).map_err(|source| RenderError::Io { path: path.to_path_buf(), source });
    let mut found = Vec::new();
    for entry in read(dir)? {
        let path = entry.map_err(|source| RenderError::Io { path: dir.to_path_buf(), source })?.path();
        if path.is_dir() {
            for sub in read(&path)? {
                found.push(sub.map_err(|source| RenderError::Io { path: path.clone(), source })?.path());
            }
        } else {
            found.push(path);
        }
    }
    for path in found {
        let is_template = path.extension().is_some_and(|ext| ext == "j2");
        let relative = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if is_template && !BUILTIN.iter().any(|(name, _)| *name == relative) {
            let expected = Templates::names().collect::<Vec<_>>().join(", ");
            return Err(RenderError::UnknownTemplate { path, expected });
        }
    }
    Ok(())
}

/// Turns a minijinja error into one line a user can act on: the template
/// where it happened (an included one, maybe), the line, the expression.
fn template_error(name: &str, err: &minijinja::Error, env: Option<&Environment<'static>>) -> RenderError {
    let at = err.name().unwrap_or(name).to_string();
    let mut detail = match err.detail() {
        Some(d) => format!("{}: {d}", err.kind()),
        None => err.kind().to_string(),
    };
    if let Some(line) = err.line() {
        detail = format!("line {line}: {detail}");
    }
    let snippet = env
        .and_then(|env| env.get_template(&at).ok())
        .zip(err.range())
        .and_then(|(t, range)| t.source().get(range).map(str::to_string));
    if let Some(snippet) = snippet {
        detail = format!("{detail} (`{snippet}`)");
    }
    RenderError::Template { name: at, detail }
}
