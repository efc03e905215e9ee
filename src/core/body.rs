//! What a request sends as its body, and the callbacks that feed or drain bodies.

use std::path::PathBuf;
use std::sync::Arc;

/// Feeds a streamed upload. Called on the sending thread, from the start of the
/// body at every send.
pub trait BodySource: Send + Sync {
    /// Fills `buf`; `Ok(0)` ends the body. An error aborts the send with
    /// `Code::Callback`.
    fn read(&self, buf: &mut [u8]) -> Result<usize, String>;
}

/// Receives the final response's body instead of buffering it.
pub trait DataSink: Send + Sync {
    /// False stops the transfer (`Code::Aborted`).
    fn write(&self, data: &[u8]) -> bool;
}

/// One part of a multipart body.
#[derive(Clone, Debug)]
pub enum PartContent {
    Text(String),
    File(PathBuf),
    Bytes(Arc<[u8]>),
}

/// A multipart field name or filename as the HTML form encoding (and
/// Requests, and browsers) writes it inside its quotes: `"` as `%22`, CR as
/// `%0D`, LF as `%0A`. Nothing else changes.
pub fn form_param(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['"', '\r', '\n']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Form fields as an application/x-www-form-urlencoded body.
pub fn urlencoded(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish()
}

#[derive(Clone, Debug)]
pub struct FilePart {
    pub field: String,
    pub content: PartContent,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

/// The body a request carries. Setting one kind replaces any other kind;
/// form fields and files accumulate.
#[derive(Clone, Default)]
pub enum Body {
    #[default]
    None,
    Bytes {
        data: Arc<[u8]>,
        content_type: Option<String>,
    },
    Json(Arc<[u8]>),
    /// Fields alone are sent urlencoded; with files, as multipart/form-data.
    Form {
        fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
    Stream {
        source: Arc<dyn BodySource>,
        length: Option<u64>,
    },
}

impl Body {
    pub fn is_none(&self) -> bool {
        matches!(self, Body::None)
    }

    /// The form under construction, turning any other body into an empty form.
    pub fn form_mut(&mut self) -> (&mut Vec<(String, String)>, &mut Vec<FilePart>) {
        if !matches!(self, Body::Form { .. }) {
            *self = Body::Form {
                fields: Vec::new(),
                files: Vec::new(),
            };
        }
        match self {
            Body::Form { fields, files } => (fields, files),
            _ => unreachable!("just made a form"),
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::None => write!(f, "None"),
            Body::Bytes { data, .. } => write!(f, "Bytes({} bytes)", data.len()),
            Body::Json(data) => write!(f, "Json({} bytes)", data.len()),
            Body::Form { fields, files } => {
                write!(f, "Form({} fields, {} files)", fields.len(), files.len())
            }
            Body::Stream { length, .. } => write!(f, "Stream({length:?})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_params_are_escaped_as_html_forms() {
        assert_eq!(form_param("plain.txt"), "plain.txt");
        assert_eq!(form_param("a\"b\r\nc.txt"), "a%22b%0D%0Ac.txt");
        assert_eq!(form_param("100%.txt"), "100%.txt");
    }
}
