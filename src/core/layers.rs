//! The one precedence rule: built-in < global config < session < request.
//!
//! A higher layer always wins. A setting that makes a header (auth makes
//! `Authorization`, the user agent makes `User-Agent`, a body's type makes
//! `Content-Type`) counts as that header on the layer it was set on, so a
//! request's basic auth beats a session's `Authorization` header and a
//! session's user agent beats a config `User-Agent` header. On one layer an
//! explicit header (set, added or removed) beats the setting that would make
//! it. A removal (NULL) on a layer removes what the layers below contribute,
//! never what a higher layer sets. Params follow the same rule by name: all
//! values of a name come from the highest layer that sets it.
//!
//! Everything is decided here, once, into the header list a hop sends; the
//! transport only applies it.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use base64::Engine;
use url::Url;

use super::body::Body;
use super::defaults;
use super::hooks::HookList;
use super::options::{Auth, Options, Settings};
use super::request::{no_options, HeaderEdits, HeaderText, Request};

/// One layer: the defaults a session or the global config lays under a
/// request, the request's own settings, or a merge of several.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub headers: HeaderEdits,
    pub params: Vec<(String, String)>,
    pub options: Options,
    pub hooks: HookList,
    /// True once this layer's header-making settings are in `headers` (every
    /// merged layer): folding twice would let a header beat its own setting.
    folded: bool,
    /// True when the built-in defaults are already merged in beneath (the
    /// session's cached layers): `for_send` then skips merging them again
    /// on every send (merging them twice changes nothing but costs).
    grounded: bool,
}

/// A session's defaults or the global config, as a caller sets them.
impl Settings for Layer {
    fn headers_mut(&mut self) -> &mut HeaderEdits {
        &mut self.headers
    }
    fn params_mut(&mut self) -> &mut Vec<(String, String)> {
        &mut self.params
    }
    fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }
}

impl Layer {
    /// `self` over `lower`, by the one rule: headers and params by name
    /// (an overridden name keeps its place), options by field, hooks after
    /// the lower layer's.
    pub fn over(&self, lower: &Layer) -> Layer {
        if self.is_empty() {
            // Nothing to merge (most requests set nothing of their own over
            // their session's): the lower layer as it is, without building
            // a merge entry by entry. An empty layer folds to nothing.
            let mut merged = lower.folded().into_owned();
            merged.folded = true;
            return merged;
        }
        let (upper, lower) = (self.folded(), lower.folded());
        Layer {
            headers: upper.headers.over(&lower.headers),
            params: over_by_name(&upper.params, &lower.params, |a, b| a.0 == b.0),
            options: upper.options.over(&lower.options),
            hooks: upper.hooks.after(&lower.hooks),
            folded: true,
            grounded: lower.grounded,
        }
    }

    /// True when this layer sets nothing: over any layer it changes
    /// nothing.
    fn is_empty(&self) -> bool {
        self.headers.0.is_empty()
            && self.params.is_empty()
            && self.hooks.is_empty()
            && self.options == Options::default()
    }

    /// `self` over the built-in defaults: every layer under a request, as a
    /// session caches it.
    pub fn over_builtin(&self) -> Layer {
        self.over(builtin())
    }

    /// The request's own layer. User info in the URL (`http://u:p@host/`)
    /// is basic auth on this layer, under the request's own auth setting
    /// and headers but over every session or config default; it is taken
    /// out of the returned URL (it would survive a redirect there). A
    /// body's type is this layer's `Content-Type`.
    pub fn of_request(request: &Request) -> (Layer, Url) {
        let mut options = Options::clone(&request.options);
        let mut url = request.url.clone();
        if !url.username().is_empty() || url.password().is_some() {
            if options.auth.is_none() {
                options.auth = Some(Auth::Basic {
                    user: percent_decode(url.username()),
                    password: percent_decode(url.password().unwrap_or("")),
                });
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        let mut headers = request.headers.clone();
        if !headers.mentions("content-type") {
            if let Some(ct) = body_content_type(&request.body) {
                headers.0.push(("Content-Type".into(), Some(ct.into())));
            }
        }
        let layer = Layer {
            headers,
            params: request.params.clone(),
            options,
            hooks: HookList::default(),
            folded: false,
            grounded: false,
        };
        (layer, url)
    }

    /// Every layer of a send merged: `self` (the request's) over `below`
    /// (session over config) over the built-in defaults: the headers a hop
    /// sends, decided in this one place. For multipart
    /// bodies libcurl writes the Content-Type (it holds the boundary), so
    /// a lower layer's Content-Type is dropped rather than sent instead.
    pub fn for_send(&self, below: &Layer, body: &Body) -> Layer {
        let mut merged = self.over(below);
        if !merged.grounded {
            merged = merged.over(builtin());
        }
        if matches!(body, Body::Form { files, .. } if !files.is_empty())
            && !self.headers.mentions("content-type")
        {
            merged.headers.remove_all("content-type");
        }
        // Digest answers a challenge with its own Authorization: no entry,
        // not even a removal (libcurl would then add none).
        if challenge_auth(&merged.options).is_some() {
            merged.headers.remove_all("authorization");
        }
        merged
    }

    /// Every layer of `request`'s send merged (`for_send_shared` of its
    /// own layer, `of_request`) and its URL without user info (`None`: the
    /// request's own URL has none, and the caller takes it as it is, moved
    /// rather than copied when it owns the request). A request that sets
    /// nothing of its own (most of a batch's) skips building its layer: an
    /// empty one is the same.
    pub fn merged_for(request: &Request, below: &Arc<Layer>) -> (Arc<Layer>, Option<Url>) {
        let url = &request.url;
        let sets_nothing = request.headers.0.is_empty()
            && request.params.is_empty()
            && url.username().is_empty()
            && url.password().is_none()
            && body_content_type(&request.body).is_none()
            && (Arc::ptr_eq(&request.options, &no_options())
                || *request.options == Options::default());
        if sets_nothing {
            // An empty layer over `below`: no empty layer made to say so.
            let merged = if Layer::serves_as_is(below, &request.body) {
                below.clone()
            } else {
                Arc::new(Layer::default().for_send(below, &request.body))
            };
            return (merged, None);
        }
        let (top, url) = Layer::of_request(request);
        (top.for_send_shared(below, &request.body), Some(url))
    }

    /// `for_send`, sharing `below` when the result would be a copy of it:
    /// this (the request's own) layer sets nothing, `below` is a merge
    /// already over the built-in defaults (a session's cached layers), and
    /// no multipart body or digest auth asks for a change. A plain request
    /// then costs no copy of every default header and option.
    pub fn for_send_shared(&self, below: &Arc<Layer>, body: &Body) -> Arc<Layer> {
        if self.is_empty() && Layer::serves_as_is(below, body) {
            below.clone()
        } else {
            Arc::new(self.for_send(below, body))
        }
    }

    /// True when `below` is what an empty layer over it merges to for a
    /// send of `body`: a merge over the built-in defaults already, and no
    /// multipart body or digest auth asks for a change.
    fn serves_as_is(below: &Layer, body: &Body) -> bool {
        below.folded
            && below.grounded
            && !matches!(body, Body::Form { files, .. } if !files.is_empty())
            && challenge_auth(&below.options).is_none()
    }

    /// This layer with its header-making settings turned into headers.
    fn folded(&self) -> Cow<'_, Layer> {
        if self.folded {
            return Cow::Borrowed(self);
        }
        let mut layer = self.clone();
        layer.folded = true;
        let made = &mut layer.headers;
        let options = &mut layer.options;
        if made.mentions("authorization") {
            // The explicit header beats this layer's auth setting, and like
            // any setting here it hides the auth of the layers below.
            options.auth = Some(Auth::None);
        } else if let Some(auth) = &options.auth {
            made.0.push((
                "Authorization".into(),
                authorization(auth).map(HeaderText::from),
            ));
        }
        if let Some(agent) = options.user_agent.take() {
            if !made.mentions("user-agent") {
                made.0.push(("User-Agent".into(), Some(agent.into())));
            }
        }
        Cow::Owned(layer)
    }
}

/// The `Authorization` value that `auth` makes by itself; `None` (a
/// removal) for no auth and for digest, which answers a challenge instead
/// (see `challenge_auth`).
pub fn authorization(auth: &Auth) -> Option<String> {
    match auth {
        Auth::None | Auth::Digest { .. } => None,
        Auth::Basic { user, password } => Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )),
        Auth::Bearer(token) => Some(format!("Bearer {token}")),
    }
}

/// The auth that must answer a server's challenge (digest), when the layer
/// that won `Authorization` set one; every other auth is already a header.
/// Borrowed: deciding whether there is one (every plain send asks) copies
/// no credentials.
pub fn challenge_auth(merged: &Options) -> Option<&Auth> {
    merged
        .auth
        .as_ref()
        .filter(|a| matches!(a, Auth::Digest { .. }))
}

/// The bottom layer, folded once.
fn builtin() -> &'static Layer {
    static BUILTIN: LazyLock<Layer> = LazyLock::new(|| {
        let mut layer = Layer {
            options: defaults::options().clone(),
            ..Layer::default()
        }
        .folded()
        .into_owned();
        layer.grounded = true;
        layer
    });
    &BUILTIN
}

/// The Content-Type a body kind implies (multipart's is libcurl's).
fn body_content_type(body: &Body) -> Option<&str> {
    match body {
        Body::Bytes { content_type, .. } => content_type.as_deref(),
        Body::Json(_) => Some("application/json"),
        Body::Form { files, .. } if files.is_empty() => Some("application/x-www-form-urlencoded"),
        Body::None | Body::Form { .. } | Body::Stream { .. } => None,
    }
}

/// `upper` over `lower` for lists keyed by name: every name `upper` has
/// replaces all of `lower`'s entries of that name, at the place of the first
/// of them; names `lower` lacks follow in `upper`'s order.
pub fn over_by_name<T: Clone>(upper: &[T], lower: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut merged = Vec::with_capacity(upper.len() + lower.len());
    for (i, entry) in lower.iter().enumerate() {
        if !upper.iter().any(|u| same(u, entry)) {
            merged.push(entry.clone());
        } else if !lower[..i].iter().any(|l| same(l, entry)) {
            merged.extend(upper.iter().filter(|u| same(u, entry)).cloned());
        }
    }
    merged.extend(
        upper
            .iter()
            .filter(|u| !lower.iter().any(|l| same(l, u)))
            .cloned(),
    );
    merged
}

pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(headers: &[(&str, Option<&str>)], auth: Option<Auth>, ua: Option<&str>) -> Layer {
        let mut l = Layer::default();
        for (n, v) in headers {
            l.headers.set(n, *v).unwrap();
        }
        l.options.auth = auth;
        l.options.user_agent = ua.map(str::to_string);
        l
    }

    fn header(l: &Layer, name: &str) -> Option<Option<String>> {
        l.headers
            .0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref().map(str::to_string))
    }

    fn basic() -> Auth {
        Auth::Basic {
            user: "u".into(),
            password: "p".into(),
        }
    }

    #[test]
    fn setting_counts_as_a_header_of_its_layer() {
        let config = layer(&[("User-Agent", Some("cfg"))], None, None);
        let session = layer(&[("Authorization", Some("Bearer x"))], None, Some("sess"));
        let request = layer(&[], Some(basic()), None);
        let merged = request.over(&session.over(&config)).over(builtin());
        assert_eq!(
            header(&merged, "authorization"),
            Some(Some("Basic dTpw".into()))
        );
        assert_eq!(header(&merged, "user-agent"), Some(Some("sess".into())));
        // Folding the merged layer again changes nothing.
        let again = merged.over(&Layer::default());
        assert_eq!(again.headers, merged.headers);
        assert_eq!(again.options.auth, merged.options.auth);
    }

    #[test]
    fn removal_hides_lower_layers_only() {
        let config = layer(&[("User-Agent", None), ("Authorization", None)], None, None);
        let session = layer(&[], None, Some("sess"));
        let request = layer(&[], Some(basic()), None);
        let merged = request.over(&session.over(&config)).over(builtin());
        assert_eq!(header(&merged, "user-agent"), Some(Some("sess".into())));
        assert_eq!(
            header(&merged, "authorization"),
            Some(Some("Basic dTpw".into()))
        );
        let bare = Layer::default().over(&config).over(builtin());
        assert_eq!(header(&bare, "user-agent"), Some(None));
    }

    #[test]
    fn digest_wins_only_from_the_winning_layer() {
        let digest = Auth::Digest {
            user: "u".into(),
            password: "p".into(),
        };
        let session = layer(&[], Some(digest.clone()), None);
        let request = layer(&[("Authorization", Some("Bearer r"))], None, None);
        let merged = request.over(&session);
        assert_eq!(challenge_auth(&merged.options), None);
        let merged = Layer::default().over(&session);
        assert_eq!(challenge_auth(&merged.options), Some(&digest));
        let (top, _) = Layer::of_request(&Request::new("GET", "http://h/").unwrap());
        let sent = top.for_send(&merged, &Body::None);
        assert_eq!(header(&sent, "authorization"), None);
    }

    #[test]
    fn a_request_that_sets_nothing_shares_its_sessions_layers() {
        let session = layer(&[("X-S", Some("s"))], None, Some("sess"));
        let below = Arc::new(session.over_builtin());
        let plain = || Layer::of_request(&Request::new("GET", "http://h/").unwrap()).0;
        let shared = plain().for_send_shared(&below, &Body::None);
        assert!(Arc::ptr_eq(&shared, &below));
        let copied = plain().for_send(&below, &Body::None);
        assert_eq!(copied.headers, shared.headers);
        assert_eq!(copied.options, shared.options);
        // Anything of its own, or layers not yet over the built-in
        // defaults, or digest auth below: a merge of its own, as before.
        let mut own = plain();
        own.headers.set("X-R", Some("r")).unwrap();
        let merged = own.for_send_shared(&below, &Body::None);
        assert!(!Arc::ptr_eq(&merged, &below));
        assert_eq!(header(&merged, "x-r"), Some(Some("r".into())));
        assert_eq!(header(&merged, "x-s"), Some(Some("s".into())));
        let ungrounded = Arc::new(session.over(&Layer::default()));
        let merged = plain().for_send_shared(&ungrounded, &Body::None);
        assert!(!Arc::ptr_eq(&merged, &ungrounded));
        assert!(merged.grounded);
        let digest = Auth::Digest {
            user: "u".into(),
            password: "p".into(),
        };
        let below = Arc::new(layer(&[], Some(digest), None).over_builtin());
        let merged = plain().for_send_shared(&below, &Body::None);
        assert!(!Arc::ptr_eq(&merged, &below));
        assert_eq!(header(&merged, "authorization"), None);
    }

    #[test]
    fn merged_for_is_the_request_layer_over_the_rest() {
        let session = layer(&[("X-S", Some("s"))], None, Some("sess"));
        let below = Arc::new(session.over_builtin());
        let mut with_params = Request::new("GET", "http://h/").unwrap();
        with_params.params.push(("p".into(), "1".into()));
        let mut with_header = Request::new("GET", "http://h/").unwrap();
        with_header.headers.set("X-S", None).unwrap();
        let mut json = Request::new("POST", "http://h/").unwrap();
        json.body = Body::Json(b"{}".to_vec().into());
        for request in [
            Request::new("GET", "http://h/a?b").unwrap(),
            Request::new("GET", "http://u:p@h/").unwrap(),
            with_params,
            with_header,
            json,
        ] {
            let (merged, url) = Layer::merged_for(&request, &below);
            let (top, expected_url) = Layer::of_request(&request);
            let expected = top.for_send(&below, &request.body);
            assert_eq!(url.unwrap_or_else(|| request.url.clone()), expected_url);
            assert_eq!(merged.headers, expected.headers, "{request:?}");
            assert_eq!(merged.params, expected.params);
            assert_eq!(merged.options, expected.options);
        }
        let plain = Request::new("GET", "http://h/").unwrap();
        assert!(Arc::ptr_eq(&Layer::merged_for(&plain, &below).0, &below));
    }

    use crate::core::options::Setting;

    #[test]
    fn unset_headers_and_params_hand_them_back() {
        let mut config = layer(&[("X-A", Some("config"))], None, None);
        config.params.push(("p".into(), "config".into()));
        let mut session = layer(&[("X-A", None), ("X-B", Some("s"))], None, Some("sess"));
        session.params.push(("p".into(), "session".into()));
        session.unset(Setting::Headers);
        session.unset(Setting::Params);
        let merged = session.over(&config);
        assert_eq!(header(&merged, "x-a"), Some(Some("config".into())));
        assert_eq!(header(&merged, "x-b"), None);
        assert_eq!(merged.params, vec![("p".to_string(), "config".to_string())]);
        // The user agent is a setting of its own, not one of the headers.
        assert_eq!(header(&merged, "user-agent"), Some(Some("sess".into())));
        session.unset(Setting::UserAgent);
        assert_eq!(header(&session.over(&config), "user-agent"), None);
    }

    #[test]
    fn by_name_keeps_place() {
        let lower = [("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        let upper = [("a", 9), ("d", 8), ("a", 7)];
        let merged = over_by_name(&upper, &lower, |x, y| x.0 == y.0);
        assert_eq!(
            merged,
            vec![("a", 9), ("a", 7), ("b", 2), ("c", 4), ("d", 8)]
        );
    }
}
